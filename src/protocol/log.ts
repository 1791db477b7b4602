/**
 * The log, as the core sees it: one line at a time, at a level, per provider. The VS Code side (vscode/log.ts)
 * writes it to the "OAuth Accounts" output channel, redacted; tests and the bench pass their own.
 */
export interface Logger {
  trace(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** The same log with every line prefixed by the provider's id. */
  forProvider(id: string): Logger;
}
