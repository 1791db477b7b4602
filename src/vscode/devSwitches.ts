/**
 * Everything the extension does differently in its own test and development runs, in one place. An installed
 * extension (ExtensionMode.Production) reads no environment variable here and exports no internals, so nothing in a
 * user's environment can copy their log elsewhere, shorten a sign-in or point the managed file somewhere else.
 */
import * as vscode from 'vscode';

export interface DevSwitches {
  /** OAUTH_ACCOUNTS_LOG_FILE: every log line and notification text appended to this file (the leak scan). */
  readonly captureFile?: string;
  /** Web worker builds: the same capture through the console (no file system there). */
  readonly captureConsole: boolean;
  /** OAUTH_ACCOUNTS_LOG_CONSOLE: the log mirrored to the console, where the host runner collects it. */
  readonly consoleMirror: boolean;
  /** OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE: the managed file's fixed system path, pointed at a test file. */
  readonly systemManagedFile?: string;
  /** Managed files owned by the user running the tests count (an installed extension wants root's). */
  readonly ownManagedFilesOk: boolean;
  /** OAUTH_ACCOUNTS_SIGN_IN_TIMEOUT_MS: a shorter wait for the browser. */
  readonly signInTimeoutMs?: number;
  /** The extension's own test run (ExtensionMode.Test): activate() exports its internals to the tests. */
  readonly exportInternals: boolean;
}

export function devSwitches(mode: vscode.ExtensionMode): DevSwitches {
  const dev = mode !== vscode.ExtensionMode.Production;
  const env = dev && typeof process !== 'undefined' ? process.env : {};
  const ms = Number(env.OAUTH_ACCOUNTS_SIGN_IN_TIMEOUT_MS);
  return {
    captureFile: env.OAUTH_ACCOUNTS_LOG_FILE || undefined,
    captureConsole: dev,
    consoleMirror: !!env.OAUTH_ACCOUNTS_LOG_CONSOLE,
    systemManagedFile: env.OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE || undefined,
    ownManagedFilesOk: dev,
    signInTimeoutMs: Number.isInteger(ms) && ms > 0 ? ms : undefined,
    exportInternals: mode === vscode.ExtensionMode.Test,
  };
}
