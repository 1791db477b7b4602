/**
 * Text a server controls (OAuth `error_description`, issuer values, account claims, device user codes, …) turned into
 * one line of plain text before it can reach a notification, a modal, a quick pick or the log. VS Code renders
 * `[label](command:…)` and `[label](https://…)` in notification text as clickable links, and a newline in a log line
 * starts what reads as a new log entry: a hostile or compromised identity provider must be able to do neither.
 * Kept free of `vscode` so it is unit-tested on plain Node.
 */

/**
 * Characters that never belong in a one-line message: C0 controls (tab/CR/LF are turned into spaces first), DEL,
 * C1 controls, zero-width and bidirectional formatting characters (which can make text read differently from what
 * it is, e.g. reverse a URL), the line/paragraph separators, and the byte-order mark.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Whitespace that would break a line or a table in the log: becomes a single space. */
const BREAKS = /[\t\n\r\v\f\u0085\u2028\u2029]+/g;

/**
 * One line of plain text, at most `maxLength` characters (the last one `…` when cut). Brackets become parentheses,
 * so no `[label](target)` link can form whatever follows, and `$(` loses its meaning as an `$(icon)`; everything
 * else readable is kept.
 */
export function plainText(value: unknown, maxLength = 300): string {
  const text = (typeof value === 'string' ? value : String(value ?? ''))
    .replace(BREAKS, ' ')
    .replace(INVISIBLE, '')
    .replace(/\[/g, '(')
    .replace(/\]/g, ')')
    .replace(/\$\(/g, '$ (')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cap(text, maxLength);
}

/** Cuts to maxLength characters with `…`, never in the middle of a surrogate pair. */
function cap(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = Math.max(0, maxLength - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * The defense-in-depth guard for every text that reaches the workbench (src/vscode/notify.ts: notifications, modal
 * details, progress titles, input box prompts, placeholders and validation messages, quick pick titles and items),
 * applied to our own texts too, which must stay readable (`oauthAccounts.providers[0]`). It only breaks what the
 * workbench would render: the `](` that joins a `[label](command:…)` link's label to its target (a live link in
 * notifications and, since VS Code 1.76, in input box prompts and validation messages), and the `$(` of a
 * `$(icon)`; and it removes control characters. Newlines survive only where `keepNewlines` (a modal's detail, which
 * we lay out in lines on purpose).
 */
export function guardWorkbenchText(text: string, keepNewlines = false): string {
  const lines = keepNewlines ? text.replace(/\r\n?/g, '\n') : text.replace(BREAKS, ' ');
  return lines
    .replace(
      keepNewlines
        ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u2028\u2029]/g
        : INVISIBLE,
      '',
    )
    .replace(/\]\s*\(/g, '] (')
    .replace(/\$\(/g, '$ (');
}

/**
 * One log line stays one log line (log forging): CR, LF and the other line breaks become a visible ` ⏎ `, so a
 * server string with a newline cannot start what looks like a new, trustworthy log entry.
 */
export function escapeLogLine(line: string): string {
  return line.replace(/\r\n|[\r\n\v\f\u0085\u2028\u2029]/g, ' ⏎ ');
}

/** Text for an HTML page (the loopback callback pages, the token-details webview): escaped, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
