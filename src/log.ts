/**
 * The "OAuth Accounts" log channel. Every line names its provider; every line passes through `redact`, a safety net
 * behind the rule that callers never pass secrets in the first place.
 */
import * as vscode from 'vscode';

export interface Logger {
  trace(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  forProvider(id: string): Logger;
}

const SECRET_PARAMS = /\b(access_token|refresh_token|id_token|code|code_verifier|client_secret|device_code|assertion|password|token)=([^&\s"']+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Masks anything shaped like a token, a code or a credential. */
export function redact(line: string): string {
  return line.replace(JWT, '[redacted JWT]').replace(SECRET_PARAMS, '$1=[redacted]').replace(BEARER, '$1 [redacted]');
}

export function createLogger(channel: vscode.LogOutputChannel, tag = ''): Logger {
  const prefix = tag ? `[${tag}] ` : '';
  return {
    trace: (l) => channel.trace(prefix + redact(l)),
    info: (l) => channel.info(prefix + redact(l)),
    warn: (l) => channel.warn(prefix + redact(l)),
    error: (l) => channel.error(prefix + redact(l)),
    forProvider: (id) => createLogger(channel, id),
  };
}
