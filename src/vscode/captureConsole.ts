/**
 * Test-only capture for the web-worker extension host, which has no file system: each captured line (log line or
 * notification text, see `capture` in ./log) goes to the worker's console behind this prefix, where the UI tests
 * collect it from the browser (Playwright console events) and add it to the "no secrets in logs" scan
 * (test/host/leakCheck.ts). No `vscode` here, so the UI tests import `capturedLineOf` from this file.
 */
const CAPTURE_CONSOLE_PREFIX = '[oauth-accounts capture] ';

/** One console message per captured line (a modal's detail may span lines). */
export function consoleCaptureSink(line: string): void {
  // eslint-disable-next-line no-console
  console.log(CAPTURE_CONSOLE_PREFIX + line.replace(/\r?\n/g, ' ⏎ '));
}

/** The captured line a console message carries, or undefined when it is not one (VS Code may prefix the text). */
export function capturedLineOf(consoleText: string): string | undefined {
  const at = consoleText.indexOf(CAPTURE_CONSOLE_PREFIX);
  return at === -1 ? undefined : consoleText.slice(at + CAPTURE_CONSOLE_PREFIX.length);
}
