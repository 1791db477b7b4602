/**
 * "Show Token Details": what a person may safely see about a session — account, scopes, times and the decoded
 * claims of JWTs — and never a raw token or signature. Pure, so a unit test can assert exactly that.
 */
import type { StoredSession } from './sessionStore';

/** The payload of a JWT, or undefined when the string is not one. Not verified: for display only. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const v = JSON.parse(decodeURIComponent(Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);
const when = (ms: number | undefined, now: number) =>
  ms === undefined ? 'not stated by the server' : `${new Date(ms).toISOString()} (${relative(ms - now)})`;

function relative(deltaMs: number): string {
  const s = Math.round(Math.abs(deltaMs) / 1000);
  const text = s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
  return deltaMs >= 0 ? `in ${text}` : `${text} ago`;
}

function claimsBlock(claims: Record<string, unknown>): string {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) {
    shown[k] = TIME_CLAIMS.has(k) && typeof v === 'number' ? `${v} (${new Date(v * 1000).toISOString()})` : v;
  }
  return '```json\n' + JSON.stringify(shown, null, 2) + '\n```';
}

export function renderTokenDetails(s: StoredSession, providerLabel: string, now: number): string {
  const t = s.tokens;
  const lines = [
    `# ${s.account.label} — ${providerLabel}`,
    '',
    '| | |',
    '|---|---|',
    `| Account id | \`${s.account.id}\` |`,
    `| Session id | \`${s.id}\` |`,
    `| Scopes requested | ${s.scopes.join(' ') || '(none)'} |`,
    `| Scopes granted | ${t.grantedScopes ? t.grantedScopes.join(' ') || '(none)' : 'as requested (not stated by the server)'} |`,
    `| Token type | ${t.tokenType} |`,
    `| Signed in | ${when(s.createdAt, now)} |`,
    `| Last refreshed | ${s.refreshedAt ? when(s.refreshedAt, now) : 'never'} |`,
    `| Access token expires | ${when(t.expiresAt, now)} |`,
    `| Refresh token | ${t.refreshToken ? 'stored (refreshed automatically before expiry)' : 'none (sign in again when the access token expires)'} |`,
    '',
    'Raw tokens and signatures are never shown here. Claims are decoded for reading, not verified.',
  ];
  const id = t.idToken ? decodeJwtPayload(t.idToken) : undefined;
  if (id) lines.push('', '## ID token claims', '', claimsBlock(id));
  const at = decodeJwtPayload(t.accessToken);
  lines.push('', '## Access token', '', at ? claimsBlock(at) : 'Opaque (not a JWT): only the server can read it.');
  return lines.join('\n') + '\n';
}
