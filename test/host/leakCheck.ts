// "No secrets in logs" (issue 7): a test run sets two files, the extension appends every log line and notification
// text it shows to one (OAUTH_ACCOUNTS_LOG_FILE, src/vscode/log.ts + src/vscode/notify.ts), the test authorization server appends
// every secret it issues or receives to the other (OAUTH_TEST_ISSUED_FILE, test/fixtures/op/opHarness.mjs): access,
// refresh and ID tokens, authorization codes, PKCE verifiers, client secrets, device codes. A secret found in any
// captured line is a leak. Plain Node, no vscode: used by the integration runner, the UI suite and a unit test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Values shorter than this are not searched for. A short value matches ordinary text by chance (a 5-character
 * client secret "hello" would flag every greeting), which would make the check cry wolf and get switched off.
 * Every secret the test AS issues is far longer (opaque tokens, codes, device codes: 43 characters; PKCE verifiers
 * 43+; JWTs hundreds), so nothing real is skipped. Values such as `state` or `user_code` (meant to be shown to the
 * user) are not recorded as secrets at all.
 */
export const MIN_SECRET_LENGTH = 8;

export interface Leak {
  /** A short prefix of the leaked secret, never the whole value. */
  secret: string;
  /** 1-based line number in the capture file. */
  lineNo: number;
  /** The captured line with the secret masked. */
  line: string;
}

export interface LeakReport {
  issued: number;
  scanned: number;
  leaks: Leak[];
  /** Captured workbench texts (notifications, input boxes, quick picks) that still hold a live link or icon. */
  liveLinks: Array<{ lineNo: number; line: string }>;
  /** "secrets leaked: 0 (N secrets issued, M lines scanned)" */
  summary: string;
}

/** What may be printed of a secret: enough to tell which one it was, too little to use it. */
export const secretPrefix = (s: string) => `${s.slice(0, 6)}…(${s.length} chars)`;

/** The needles for one secret: the value itself and, for a JWT, its signature (a token cut at a dot still leaks it). */
function needles(secret: string): string[] {
  const out = [secret];
  const parts = secret.split('.');
  if (parts.length === 3 && parts[0].startsWith('eyJ') && parts[2].length >= 16) out.push(parts[2]);
  return out;
}

/** Every (secret, line) pair where the line contains the secret. Secrets shorter than MIN_SECRET_LENGTH are ignored. */
export function findLeaks(secrets: Iterable<string>, lines: readonly string[]): Leak[] {
  const unique = [...new Set([...secrets].map((s) => s.trim()).filter((s) => s.length >= MIN_SECRET_LENGTH))];
  const leaks: Leak[] = [];
  lines.forEach((line, i) => {
    for (const secret of unique) {
      const hit = needles(secret).find((n) => line.includes(n));
      if (hit)
        leaks.push({
          secret: secretPrefix(secret),
          lineNo: i + 1,
          line: line
            .split(hit)
            .join(`<${secretPrefix(secret)}>`)
            .slice(0, 400),
        });
    }
  });
  return leaks;
}

/**
 * Workbench texts (what src/vscode/notify.ts captured of notifications, input box prompts and validation messages,
 * quick picks and progress) in which VS Code would render `[label](command:…)` as a live link or `$(name)` as an
 * icon: the guard in notify.ts was bypassed or is broken.
 */
export function findLiveLinks(lines: readonly string[]): Array<{ lineNo: number; line: string }> {
  const out: Array<{ lineNo: number; line: string }> = [];
  lines.forEach((line, i) => {
    if (/^\[(notification|input|quick pick)/.test(line) && /\]\(|\$\(/.test(line))
      out.push({ lineNo: i + 1, line: line.slice(0, 400) });
  });
  return out;
}

const readLines = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

/** Scans the capture files of one run. */
export function checkLeaks(files: { issuedFile: string; logFile: string }): LeakReport {
  const secrets = new Set(
    readLines(files.issuedFile)
      .map((s) => s.trim())
      .filter((s) => s.length >= MIN_SECRET_LENGTH),
  );
  const lines = readLines(files.logFile);
  const leaks = findLeaks(secrets, lines);
  const liveLinks = findLiveLinks(lines);
  const workbench = lines.filter((l) => /^\[(notification|input|quick pick)/.test(l)).length;
  return {
    issued: secrets.size,
    scanned: lines.length,
    leaks,
    liveLinks,
    summary: `secrets leaked: ${leaks.length} (${secrets.size} secrets issued, ${lines.length} lines scanned); live links: ${liveLinks.length} (${workbench} workbench texts)`,
  };
}

export const LEAK_TEST_TITLE = 'no secrets in logs or notifications, no live links in workbench text';

/** A temp folder and the two variables that switch the capture on (to pass as env to code-server, or set on process.env). */
export function leakCheckFiles(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-leak-'))) {
  fs.mkdirSync(dir, { recursive: true });
  const issuedFile = path.join(dir, 'issued-secrets.txt');
  const logFile = path.join(dir, 'log-and-notifications.txt');
  return { dir, issuedFile, logFile, env: { OAUTH_TEST_ISSUED_FILE: issuedFile, OAUTH_ACCOUNTS_LOG_FILE: logFile } };
}

/** The check as one test result: an error message naming every leak (secret prefixes only), or undefined when clean.
 * A run that captured nothing (no line, or no secret issued) fails too: a scan with nothing to look for or nothing
 * to look in proves nothing, and passing it would hide a broken capture. */
export function leakFailure(r: LeakReport): string | undefined {
  if (r.leaks.length || r.liveLinks.length) {
    return (
      `${r.summary}\n` +
      [
        ...r.leaks.map((l) => `  ${l.secret} in captured line ${l.lineNo}: ${l.line}`),
        ...r.liveLinks.map((l) => `  a live link or icon in captured line ${l.lineNo}: ${l.line}`),
      ].join('\n')
    );
  }
  if (r.scanned === 0)
    return `${r.summary}: the extension captured no log line at all (OAUTH_ACCOUNTS_LOG_FILE not honoured?)`;
  if (r.issued === 0) {
    return `${r.summary}: the test authorization server recorded no issued secret, so the capture was not wired (OAUTH_TEST_ISSUED_FILE not passed to the AS?) and nothing was checked`;
  }
  return undefined;
}

/** scripts/test.mjs names a file in OAUTH_LEAK_CHECK_SUMMARY to print the total over suites: { issued, scanned, leaked }. */
export function writeLeakSummary(r: LeakReport): void {
  const file = process.env.OAUTH_LEAK_CHECK_SUMMARY;
  if (file) fs.writeFileSync(file, JSON.stringify({ issued: r.issued, scanned: r.scanned, leaked: r.leaks.length }));
}
