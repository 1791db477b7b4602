/**
 * Log redaction, kept free of `vscode` so it is unit-tested on plain Node (test/unit/vscode/redact.test.ts, a property test
 * over the shapes below). It is the safety net behind the rule that callers never log secrets at all, so it errs on
 * the side of masking: a masked `state` costs some debugging, a surviving refresh token costs an account.
 */

/** Parameter and JSON member names whose value is a secret. */
const KEYS =
  'access_token|refresh_token|registration_access_token|initial_access_token|id_token|code_verifier|code|client_secret|client_assertion|device_code|subject_token|actor_token|assertion|password|token';

/**
 * Where a name may start: not inside a longer word (`grant_type=refresh_token` is not a `token=`), but right after a
 * percent-encoded separator (`%26code%3D…` inside an encoded redirect_uri, `%2526code%253D…` encoded twice).
 */
const START = String.raw`(?:(?<![A-Za-z0-9_.-])|(?<=%[0-9A-Fa-f]{2})|(?<=%25[0-9A-Fa-f]{2}))`;

/**
 * A value, tried in this order:
 * - inside a JSON string that is itself in a JSON string (`\"code\":\"…\"`): up to the escaped closing quote, with
 *   the inner escapes (`\\\"`, `\\\\`) skipped;
 * - double or single quoted (JSON, `key: "value"`): up to the real closing quote, skipping `\"` escapes;
 * - bare (query strings, form bodies, `key: value`): up to whitespace, `&` or a quote — an encoded `&` (`%26`) is
 *   the value's own there (a form-encoded token may hold `&`); `,` `;` `)` are kept in (a password may hold them);
 *   never an earlier mask (`id_token=[redacted JWT]`);
 * - an opening quote that never closes (a line cut short): the bare value after it.
 */
const VALUE = [
  String.raw`\\"(?:\\\\\\"|\\\\|\\[^"\\]|[^"\\])*\\"`,
  String.raw`"(?:[^"\\]|\\[\s\S])*"`,
  String.raw`'(?:[^'\\]|\\[\s\S])*'`,
  String.raw`(?!\[redacted)[^\s&"']+`,
  String.raw`\\?["'][^\s"'&]+`,
].join('|');
/**
 * A value inside an encoded URL (`…%3Fcode%3Dv%26state%3D…`): up to the encoded `&` of its own level — a `&` of the
 * value itself is encoded once more there — so the next parameter of an encoded redirect_uri stays readable.
 */
const ENCODED_VALUE = String.raw`(?!\[redacted)(?:(?!%26)[^\s&"'])+`;
const ENCODED_TWICE_VALUE = String.raw`(?!\[redacted)(?:(?!%2526)[^\s&"'])+`;

/** `key=v`, `key: v`, `key = "v"`, `"key":"v"`, `\"key\":\"v\"`, `key%3Dv`, `key%253Dv`. */
const KEY_VALUE = new RegExp(
  String.raw`${START}(\\?["']?)(${KEYS})(\\?["']?)(?:(\s*[:=]\s*)(${VALUE})|(%3D)(${ENCODED_VALUE})|(%253D)(${ENCODED_TWICE_VALUE}))`,
  'gi',
);

/**
 * An Authorization header, whatever its scheme (Bearer, Basic, DPoP, GitHub's `token`, …): the credential after it.
 * Only here is `token` a scheme; elsewhere "token endpoint" is ordinary text.
 */
const AUTHORIZATION =
  /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|dpop|token|digest|negotiate|ntlm|mac)\s+)?(?!\[redacted)[^\s"',&]+/gi;
/**
 * A credential after a scheme name anywhere else ("sent Bearer abc…"): only values that look like one (8+ token
 * characters, `=` only as base64 padding, so `token_type=Bearer expires_in=300` is left alone).
 */
const SCHEME_VALUE = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/-]{8,}=*(?![A-Za-z0-9._~+/=-])/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** GitHub's prefixed tokens (gho_, ghp_, ghu_, ghs_, ghr_), recognisable on their own. */
const GITHUB_TOKEN = /\bgh[opusr]_[A-Za-z0-9_-]{16,}/g;

/** The masked form of a value, keeping its quoting so the line stays readable (and valid JSON stays valid). */
function mask(value: string): string {
  if (value.startsWith('\\"')) return '\\"[redacted]\\"';
  if (value.startsWith('"')) return '"[redacted]"';
  if (value.startsWith("'")) return "'[redacted]'";
  return '[redacted]';
}

/** Masks anything shaped like a token, a code or a credential. */
export function redact(line: string): string {
  return line
    .replace(JWT, '[redacted JWT]')
    .replace(
      AUTHORIZATION,
      (_m, head: string, scheme: string | undefined) => `${head}${scheme ? `${scheme} ` : ''}[redacted]`,
    )
    .replace(GITHUB_TOKEN, '[redacted GitHub token]')
    .replace(
      KEY_VALUE,
      // One of the three separator/value pairs matched (plain, encoded, encoded twice); the others are undefined.
      (
        _m,
        q1: string,
        key: string,
        q2: string,
        s1?: string,
        v1?: string,
        s2?: string,
        v2?: string,
        s3?: string,
        v3?: string,
      ) => `${q1}${key}${q2}${s1 ?? s2 ?? s3}${mask((v1 ?? v2 ?? v3)!)}`,
    )
    .replace(SCHEME_VALUE, '$1 [redacted]');
}
