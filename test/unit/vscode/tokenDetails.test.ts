import * as assert from 'node:assert/strict';
import {
  decodeJwtPayload,
  renderTokenDetails as renderHtml,
  tokenDetailsTitle,
} from '../../../src/vscode/tokenDetails';
import type { StoredSession } from '../../../src/sessions/sessionStore';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (payload: unknown) => `${b64({ alg: 'ES256', kid: 'k1' })}.${b64(payload)}.SIGNATURE_abcdefghijklmnop`;

/** What a person reads in the webview: tags removed, entities decoded. */
const renderTokenDetails = (...args: Parameters<typeof renderHtml>) =>
  renderHtml(...args)
    .replace(/<(th|td)>/g, ' | ')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));

suite('tokenDetails', () => {
  const idToken = jwt({
    iss: 'https://idp.example',
    sub: 'alice',
    aud: 'vscode',
    exp: 2_000_000_000,
    name: 'Alice Ümlaut',
  });
  const accessToken = jwt({ sub: 'alice', scope: 'api.read', exp: 2_000_000_000 });
  const session: StoredSession = {
    v: 1,
    id: 's1',
    account: { id: 'https://idp.example#alice', label: 'alice' },
    scopes: ['openid', 'api.read'],
    defaultScopes: ['openid'],
    tokens: {
      accessToken,
      tokenType: 'Bearer',
      refreshToken: 'RT-secret-value-123',
      idToken,
      expiresAt: 1_700_000_600_000,
      grantedScopes: ['openid', 'api.read'],
    },
    createdAt: 1_700_000_000_000,
  };

  test('shows account, scopes, times and decoded claims', () => {
    const text = renderTokenDetails(session, 'Example IdP', 1_700_000_000_000);
    assert.match(text, /alice — Example IdP/);
    assert.match(text, /Scopes granted\s*\|\s*openid api\.read/);
    assert.match(text, /Access token expires\s*\|\s*2023-11-14T22:23:20\.000Z \(in 10 min\)/);
    assert.match(text, /"name": "Alice Ümlaut"/);
    assert.match(text, /"scope": "api.read"/);
    assert.match(text, /"exp": "2000000000 \(2033-05-18T03:33:20\.000Z\)"/);
  });

  test('never contains a raw token, a signature or the refresh token', () => {
    const text = renderTokenDetails(session, 'Example IdP', Date.now());
    for (const secret of [
      accessToken,
      idToken,
      'RT-secret-value-123',
      'SIGNATURE_abcdefghijklmnop',
      accessToken.split('.')[1],
      idToken.split('.')[0],
    ]) {
      assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 12)}…`);
    }
  });

  test('opaque access tokens are said to be opaque; garbage is not a JWT', () => {
    const text = renderTokenDetails(
      { ...session, tokens: { ...session.tokens, accessToken: 'opaque-token-value', idToken: undefined } },
      'X',
      Date.now(),
    );
    assert.match(text, /Opaque \(not a JWT\)/);
    assert.ok(!text.includes('opaque-token-value'));
    assert.equal(decodeJwtPayload('a.b'), undefined);
    assert.equal(decodeJwtPayload('a.%%%.c'), undefined);
  });

  test('a page for a webview: scripts impossible, server text escaped, titled without the session id', () => {
    const hostile = {
      ...session,
      account: { id: 'x', label: '<script>alert(1)</script>' },
      tokens: { ...session.tokens, idToken: jwt({ sub: '<img src=x onerror=alert(1)>' }) },
    };
    const html = renderHtml(hostile, 'IdP <b>', Date.now());
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
    assert.ok(!/<script|<img|<b>/i.test(html), 'no markup from a server or a setting');
    assert.match(html, /&#60;script&#62;/);
    assert.equal(tokenDetailsTitle(session, 'Example IdP'), 'alice — Example IdP');
    assert.ok(!html.includes(session.id === 's1' ? '>s1<' : session.id), 'the session id is not shown');
  });
});
