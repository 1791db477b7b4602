/**
 * The "OAuth Accounts" log channel. Every line names its provider; every line passes through `redact`, a safety net
 * behind the rule that callers never pass secrets in the first place, and stays one line (`escapeLogLine`): a
 * server string with a newline must not start what reads as a new log entry.
 */
import * as vscode from 'vscode';
import { escapeLogLine } from '../protocol/plainText';
import { redact } from './redact';

import type { Logger } from '../protocol/log';

export type { Logger };

/**
 * Test runs mirror the channel to the console (where the host runner collects it) with OAUTH_ACCOUNTS_LOG_CONSOLE
 * set. Decided by activate (`setConsoleMirror`), never at module load: an installed (Production) extension
 * ignores the variable, so nothing in a user's environment can copy their log elsewhere.
 */
let mirror = false;
export function setConsoleMirror(on: boolean): void {
  mirror = on;
}

/**
 * Test-only capture of everything the user could read: every log line (after redaction, at every level, whatever
 * the channel's level) and every notification text. Unset in production; the Node entry (src/extension.ts) sets it
 * when OAUTH_ACCOUNTS_LOG_FILE names a file, so the web bundle never pulls in `fs`. The "no secrets in logs" check
 * (test/host/leakCheck.ts) scans what lands there.
 */
let captureSink: ((line: string) => void) | undefined;
export function setCaptureSink(sink: ((line: string) => void) | undefined): void {
  captureSink = sink;
}
export function capture(line: string): void {
  if (!captureSink) return;
  try {
    captureSink(line);
  } catch {
    /* a test sink must never break the extension */
  }
}

type Level = 'trace' | 'info' | 'warn' | 'error';

/** Where log lines go; `line` formats (and redacts) the line when it is written. */
interface LogTarget {
  write(level: Level, line: () => string): void;
}

/**
 * The output channel, created on the next turn of the event loop rather than in activate(): creating it, and
 * redacting and writing the activation's lines (one per registered provider), is work VS Code does not need before
 * activate() returns. Lines written before then wait here, in order; `open()` (Show Log) creates it at once.
 */
export class DeferredChannel implements LogTarget {
  private channel?: vscode.LogOutputChannel;
  private queue: Array<[Level, () => string]> = [];
  private readonly timer: ReturnType<typeof setTimeout>;
  private disposed = false;

  constructor(private readonly create: () => vscode.LogOutputChannel) {
    this.timer = setTimeout(() => {
      try {
        this.open();
      } catch {
        /* reported when Show Log calls open() */
      }
    }, 0);
  }

  open(): vscode.LogOutputChannel {
    if (!this.channel) {
      try {
        this.channel = this.create();
      } catch (e) {
        // Never queue for a channel that cannot be made: that would grow for the rest of the session.
        this.queue = [];
        this.disposed = true;
        throw e;
      }
      for (const [level, line] of this.queue) this.channel[level](line());
      this.queue = [];
    }
    return this.channel;
  }

  write(level: Level, line: () => string): void {
    if (this.channel) this.channel[level](line());
    else if (!this.disposed) this.queue.push([level, line]);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.queue = [];
    this.channel?.dispose();
  }
}

export function createLogger(target: LogTarget, tag = ''): Logger {
  const prefix = tag ? `[${tag}] ` : '';
  const at = (level: Level) => (l: string) =>
    target.write(level, () => {
      const line = escapeLogLine(prefix + redact(l));
      if (mirror) console.log(`[oauth-accounts ${level}] ${line}`);
      capture(`[${level}] ${line}`);
      return line;
    });
  return {
    trace: at('trace'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    forProvider: (id) => createLogger(target, id),
  };
}
