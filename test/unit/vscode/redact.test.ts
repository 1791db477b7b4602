// Log redaction (src/vscode/redact.ts) against every shape in which servers, HTTP libraries and headers carry secrets: a
// property test generates token-bearing strings and asserts no piece of the secret survives; examples check that
// ordinary text is left alone (a redactor that masks everything would pass the first half).
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { redact } from '../../../src/vscode/redact';

const KEYS = [
  'access_token',
  'refresh_token',
  'registration_access_token',
  'initial_access_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'device_code',
  'assertion',
  'password',
  'token',
];
/** Characters of opaque tokens, codes and verifiers (base64url, base64 and the RFC 6749 VSCHAR set we meet). */
const TOKEN_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/='];
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 12, maxLength: 48 });
/** A secret a JSON body may carry: token characters plus quotes, backslashes and spaces (escaped by JSON). */
const jsonSecret = fc
  .string({ unit: fc.constantFrom(...TOKEN_CHARS, '"', '\\', ' ', "'", '%'), minLength: 12, maxLength: 48 })
  .filter((s) => /[A-Za-z0-9]{4}/.test(s));
const enc = encodeURIComponent;
/** Benign text around the secret, so the redactor has to find it in a real-looking line. */
const before = fc.constantFrom('', 'POST /token ', '[info] [github] ', 'request body: ', 'sent ', '{"ok":true} ');
const after = fc.constantFrom(
  '',
  ' and more',
  '&state=af0ifjsldkj',
  ' (HTTP 400)',
  '\nnext line',
  ',"scope":"openid"}',
);

type Shape = (key: string, secret: string) => string;
const TOKEN_SHAPES: Record<string, Shape> = {
  query: (k, s) => `https://idp.example/cb?${k}=${enc(s)}&state=xyz`,
  form: (k, s) => `grant_type=refresh_token&${k}=${enc(s)}&client_id=app`,
  raw: (k, s) => `${k}=${s}`,
  colon: (k, s) => `${k}: ${s}`,
  spacedEquals: (k, s) => `${k} = ${s}`,
  colonQuoted: (k, s) => `${k}: "${s}"`,
  equalsSingleQuoted: (k, s) => `${k}='${s}'`,
  pythonDict: (k, s) => `{'${k}': '${s}'}`,
  percentEncoded: (k, s) => `${k}%3D${enc(s)}`,
  encodedRedirect: (k, s) => `redirect_uri=${enc(`https://app.example/cb?x=1&${k}=${enc(s)}&state=abc`)}`,
  encodedTwice: (k, s) => `next=${enc(enc(`https://app.example/cb?x=1&${k}=${enc(s)}`))}`,
};
const JSON_SHAPES: Record<string, Shape> = {
  json: (k, s) => JSON.stringify({ token_type: 'Bearer', [k]: s, expires_in: 300 }),
  jsonSpaced: (k, s) => JSON.stringify({ [k]: s }, null, 2),
  jsonInString: (k, s) => JSON.stringify(JSON.stringify({ [k]: s, scope: 'openid' })),
};
const SCHEMES = ['Bearer', 'Basic', 'token', 'DPoP', 'bearer'];
const HEADER_SHAPES: Record<string, (scheme: string, secret: string) => string> = {
  header: (sc, s) => `Authorization: ${sc} ${s}`,
  lowercaseHeader: (sc, s) => `authorization: ${sc} ${s}`,
  headerInJson: (sc, s) => JSON.stringify({ headers: { authorization: `${sc} ${s}` } }),
  proxyHeader: (sc, s) => `Proxy-Authorization: ${sc} ${s}`,
};

/**
 * Every form the secret can take in a line, cut into windows of 8 characters (a `%XX` escape counts as one): none may
 * survive. Windows with fewer than 4 plain letters or digits are skipped: they are encoding (`%252F%25`), which the
 * surrounding URL has too, not the secret.
 */
function fragments(secret: string): string[] {
  const forms = new Set([
    secret,
    enc(secret),
    enc(enc(secret)),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
  ]);
  const out = new Set<string>();
  for (const f of forms) {
    const units = f.match(/%[0-9A-Fa-f]{2}|[\s\S]/g) ?? [];
    for (let i = 0; i + 8 <= units.length; i++) {
      const w = units.slice(i, i + 8);
      if (w.filter((u) => /^[A-Za-z0-9]$/.test(u)).length >= 4) out.add(w.join(''));
    }
  }
  return [...out];
}

function assertMasked(line: string, secret: string): void {
  const out = redact(line);
  const left = fragments(secret).filter((f) => out.includes(f));
  assert.deepEqual(left, [], `secret survived redaction\n  in:  ${line}\n  out: ${out}`);
}

suite('log redaction', () => {
  test('property: a secret under a secret name never survives, in any query, form, JSON, header or key/value shape', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(TOKEN_SHAPES)),
        fc.constantFrom(...KEYS),
        token,
        before,
        after,
        (shape, key, secret, pre, post) => {
          assertMasked(pre + TOKEN_SHAPES[shape](key, secret) + post, secret);
        },
      ),
      { numRuns: 600 },
    );
  });

  test('property: a JSON string value is masked up to its real closing quote, escaped quotes and backslashes included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(JSON_SHAPES)),
        fc.constantFrom(...KEYS),
        jsonSecret,
        before,
        (shape, key, secret, pre) => {
          assertMasked(pre + JSON_SHAPES[shape](key, secret), secret);
        },
      ),
      { numRuns: 600 },
    );
  });

  test('property: the credential of an Authorization header never survives, whatever its scheme', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(HEADER_SHAPES)),
        fc.constantFrom(...SCHEMES),
        token,
        before,
        after,
        (shape, scheme, secret, pre, post) => {
          assertMasked(pre + HEADER_SHAPES[shape](scheme, secret) + post, secret);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('the cases that used to slip through', () => {
    const s = 'Zq3vYb8xK1m-pT0aLw9eRc7uNf2hJs5d';
    for (const line of [
      `refresh_token: ${s}`,
      `refresh_token = ${s}`,
      `refresh_token = "${s}"`,
      `refresh_token%3D${s}`,
      `redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fx%3D1%26code%3D${s}%26state%3Dq`,
      `Authorization: token gho_${s}`,
      `{"refresh_token":"ab\\"cd${s}"}`,
      `gho_${s}`,
    ])
      assertMasked(line, s);
    assert.equal(
      redact(`{"refresh_token":"ab\\"cd${s}","scope":"openid"}`),
      '{"refresh_token":"[redacted]","scope":"openid"}',
    );
    assert.equal(
      redact(`redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fcode%3D${s}%26state%3Dq`),
      'redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fcode%3D[redacted]%26state%3Dq',
    );
    assert.equal(redact(`Authorization: token gho_${s}`), 'Authorization: token [redacted]');
    // A form-encoded value holding `&` (found by the security suite's property test, then by review): after `=` or
    // `:` an encoded `&` is the value's own, wherever it stands; only inside an encoded URL does it end the value.
    assert.equal(redact('access_token=%26AAAAAAAA'), 'access_token=[redacted]');
    assert.equal(redact(`refresh_token=ab%26${s} next`), 'refresh_token=[redacted] next');
    assert.equal(redact(`access_token=v1%26sig%3D${s}`), 'access_token=[redacted]');
    assert.equal(redact(`code=%2526x%253D${s}&state=q`), 'code=[redacted]&state=q');
    assert.equal(
      redact(`u=https%253A%252F%252Fa%252Fcb%253Fcode%253D${s}%2526state%253Dq`),
      'u=https%253A%252F%252Fa%252Fcb%253Fcode%253D[redacted]%2526state%253Dq',
    );
  });

  test('a JWT is masked wherever it stands, with no name or scheme before it', () => {
    const jwt = [
      'eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ',
      'eyJzdWIiOiJhbGljZSIsImF1ZCI6ImFwcCJ9',
      'c2lnbmF0dXJlLWJ5dGVz',
    ].join('.');
    for (const line of [`id token ${jwt} accepted`, `[${jwt}]`, `validating ${jwt}`]) {
      assert.ok(!redact(line).includes(jwt.split('.')[1]), `JWT payload survived: ${redact(line)}`);
    }
    assert.equal(redact(`id token ${jwt} accepted`), 'id token [redacted JWT] accepted');
  });

  test('ordinary text is left alone', () => {
    for (const line of [
      'Signed in to GitHub as alice.',
      'token_type=Bearer expires_in=3600 scope=openid email',
      'grant_type=refresh_token&client_id=app&state=af0ifjsldkj',
      'code_challenge=E9Melhoa2OwvFrEMTJguCQ&code_challenge_method=S256',
      'The code exchange failed (HTTP 400): invalid_grant.',
      'the refresh token expired; sign in again',
      'POST https://idp.example/oauth/token (token endpoint) answered 200',
      'Check oauthAccounts.providers[0].clientId in your settings.',
      'https://idp.example/.well-known/openid-configuration',
      'authorization_endpoint: https://idp.example/authorize',
      'Enter code WDJB-MJHT at https://idp.example/device',
      'sign-in flows for a webworker extension host: uri-handler, device-code',
      '{"token_type":"Bearer","expires_in":300,"scope":"openid"}',
    ])
      assert.equal(redact(line), line);
  });
});
