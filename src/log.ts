/**
 * The "OAuth Accounts" log channel. Every line names its provider; every line passes through `redact`, a safety net
 * behind the rule that callers never pass secrets in the first place.
 */
import * as vscode from 'vscode';
import { redact } from './redact';

export interface Logger {
  trace(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  forProvider(id: string): Logger;
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
