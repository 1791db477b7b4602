/**
 * "Show Token Details": what a person may safely see about a session — account, scopes, times and the decoded
 * claims of JWTs — and never a raw token or signature. Pure, so a unit test can assert exactly that.
 */
import type { StoredSession } from '../sessions/sessionStore';
import { decodeJwtPayload } from '../protocol/tokens';
import { escapeHtml } from '../protocol/plainText';

export { decodeJwtPayload };

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);
const when = (ms: number | undefined, now: number) =>
  ms === undefined ? 'not stated by the server' : `${new Date(ms).toISOString()} (${relative(ms - now)})`;

function relative(deltaMs: number): string {
  const s = Math.round(Math.abs(deltaMs) / 1000);
  const text = s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`;
}

function claimsJson(claims: Record<string, unknown>): string {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) {
    shown[k] = TIME_CLAIMS.has(k) && typeof v === 'number' ? `${v} (${new Date(v * 1000).toISOString()})` : v;
  }
  return JSON.stringify(shown, null, 2);
}

/** The view's tab title: provider and account, never a session id. */
export function tokenDetailsTitle(s: StoredSession, providerLabel: string): string {
  return `${s.account.label} — ${providerLabel}`;
}

/**
 * A complete HTML page for a webview (not a text document: any extension can read open text documents, nobody can
 * read a webview's content). Scripts off, and a CSP that allows nothing but inline styles.
 */
export function renderTokenDetails(s: StoredSession, providerLabel: string, now: number): string {
  const t = s.tokens;
  const rows: Array<[string, string]> = [
    ['Account id', s.account.id],
    ['Scopes requested', s.scopes.join(' ') || '(none)'],
    [
      'Scopes granted',
      t.grantedScopes ? t.grantedScopes.join(' ') || '(none)' : 'as requested (not stated by the server)',
    ],
    ['Token type', t.tokenType],
    ['Signed in', when(s.createdAt, now)],
    ['Last refreshed', s.refreshedAt ? when(s.refreshedAt, now) : 'never'],
    ['Access token expires', when(t.expiresAt, now)],
    [
      'Refresh token',
      t.refreshToken
        ? 'stored (refreshed automatically before expiry)'
        : 'none (sign in again when the access token expires)',
    ],
  ];
  const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>${body}`;
  const id = t.idToken ? decodeJwtPayload(t.idToken) : undefined;
  const at = decodeJwtPayload(t.accessToken);
  const body = [
    `<h1>${escapeHtml(tokenDetailsTitle(s, providerLabel))}</h1>`,
    `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    '<p class="note">Raw tokens and signatures are never shown here. Claims are decoded for reading, not verified.</p>',
    id ? section('ID token claims', `<pre>${escapeHtml(claimsJson(id))}</pre>`) : '',
    section(
      'Access token',
      at ? `<pre>${escapeHtml(claimsJson(at))}</pre>` : '<p>Opaque (not a JWT): only the server can read it.</p>',
    ),
  ].join('\n');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">' +
    `<title>${escapeHtml(tokenDetailsTitle(s, providerLabel))}</title>` +
    '<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:0 1.5em}' +
    'th{text-align:left;padding-right:1.5em;font-weight:600}td,th{padding-top:.2em;vertical-align:top}' +
    'pre{background:var(--vscode-textCodeBlock-background);padding:.8em;overflow:auto;font-family:var(--vscode-editor-font-family)}' +
    '.note{opacity:.8}</style></head>' +
    `<body>${body}</body></html>\n`
  );
}
