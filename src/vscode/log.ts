/**
 * The "OAuth Accounts" log channel. Every line names its provider; every line passes through `redact`, a safety net
 * behind the rule that callers never pass secrets in the first place, and stays one line (`escapeLogLine`): a
 * server string with a newline must not start what reads as a new log entry.
 */
import * as vscode from 'vscode';
import { escapeLogLine } from '../protocol/plainText';
import { redact } from './redact';

export interface Logger {
  trace(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  forProvider(id: string): Logger;
}

/**
 * Test runs mirror the channel to the console (where the host runner collects it) with OAUTH_ACCOUNTS_LOG_CONSOLE
 * set. Decided by activate (`setConsoleMirror`), never at module load: an installed (Production) extension
 * ignores the variable, so nothing in a user's environment can copy their log elsewhere.
 */
let mirror = false;
export function setConsoleMirror(on: boolean): void { mirror = on; }

/**
 * Test-only capture of everything the user could read: every log line (after redaction, at every level, whatever
 * the channel's level) and every notification text. Unset in production; the Node entry (src/extension.ts) sets it
 * when OAUTH_ACCOUNTS_LOG_FILE names a file, so the web bundle never pulls in `fs`. The "no secrets in logs" check
 * (test/host/leakCheck.ts) scans what lands there.
 */
let captureSink: ((line: string) => void) | undefined;
export function setCaptureSink(sink: ((line: string) => void) | undefined): void { captureSink = sink; }
export function capture(line: string): void {
  if (!captureSink) return;
  try { captureSink(line); } catch { /* a test sink must never break the extension */ }
}

export function createLogger(channel: vscode.LogOutputChannel, tag = ''): Logger {
  const prefix = tag ? `[${tag}] ` : '';
  const at = (level: 'trace' | 'info' | 'warn' | 'error') => (l: string) => {
    const line = escapeLogLine(prefix + redact(l));
    channel[level](line);
    if (mirror) console.log(`[oauth-accounts ${level}] ${line}`);
    capture(`[${level}] ${line}`);
  };
  return { trace: at('trace'), info: at('info'), warn: at('warn'), error: at('error'), forProvider: (id) => createLogger(channel, id) };
}
