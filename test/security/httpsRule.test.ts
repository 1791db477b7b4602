/**
 * The https rule against a real (hostile) server: a provider whose issuer is a loopback http URL must not make the
 * endpoints its metadata names on other hosts acceptable over plain http. Each URL is judged on its own: a
 * plain-http endpoint on a non-loopback host fails discovery, names the field, and is never contacted; https and
 * loopback mixes keep working.
 */
import * as assert from 'node:assert/strict';
import { rejectsWithAuthError } from '../support/assertions';
import type { BaseFetch } from '../../src/protocol/http';
import { HTTP_LOOPBACK_RULE } from '../../src/protocol/urls';
import {
  clientFor,
  globalFetch,
  hostileConfig,
  openWindow,
  RedirectBrowser,
  signInAndStore,
  startHostileAs,
  type HostileAs,
} from './support';

/** Every URL the client asked for; the unreachable test host fails at once like an unresolvable name. */
function recordingFetch(): { fetch: BaseFetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: async (url, init) => {
      urls.push(url);
      if (new URL(url).hostname === 'idp.example.invalid')
        throw new TypeError('fetch failed (idp.example.invalid is not reachable in tests)');
      return globalFetch(url, init);
    },
  };
}

suite('security: https rule per URL', () => {
  let as: HostileAs;
  suiteSetup(async () => {
    as = await startHostileAs();
  });
  suiteTeardown(async () => {
    await as?.stop();
  });

  test('loopback issuer, plain-http token_endpoint on another host: discovery fails naming the field; nothing is sent there', async () => {
    const t = await as.tenant('http-token-elsewhere');
    assert.match(t.issuer, /^http:\/\/127\.0\.0\.\d+:\d+\//, 'the issuer itself is plain http on loopback');
    const { fetch, urls } = recordingFetch();
    const client = clientFor(hostileConfig(t), { fetch });
    const win = openWindow(client, t.id);
    const browser = new RedirectBrowser();
    try {
      const err = await rejectsWithAuthError(signInAndStore(client, win, browser), 'discovery');
      assert.ok(
        err.message.startsWith(
          `The server metadata's token_endpoint http://idp.example.invalid/token must use https:// (${HTTP_LOOPBACK_RULE})`,
        ),
        err.message,
      );
      assert.match(err.message, /Set "endpoints\.token" for provider/);
      assert.deepEqual(
        urls.filter((u) => u.includes('idp.example.invalid')),
        [],
        'no request to the plain-http host',
      );
      assert.deepEqual(browser.visited, [], 'the browser was never sent to sign in');
      const stats = await t.stats();
      assert.equal(stats.authorization + stats.token, 0);
      assert.equal(win.secrets.data.size, 0);
      // Refresh and revocation go through the same metadata: they fail the same way, still without a request.
      await rejectsWithAuthError(
        client.refresh({ accessToken: 'a', refreshToken: 'rt-secret' } as never),
        'discovery',
        /token_endpoint/,
      );
      await rejectsWithAuthError(client.revoke('rt-secret', 'refresh_token'), 'discovery', /token_endpoint/);
      assert.deepEqual(
        urls.filter((u) => u.includes('idp.example.invalid')),
        [],
      );
    } finally {
      win.keeper.dispose();
    }
  });

  test('an optional endpoint (revocation) in plain http elsewhere fails discovery too; an endpoints override fixes it', async () => {
    const t = await as.tenant('http-revocation-elsewhere');
    const { fetch, urls } = recordingFetch();
    const strict = clientFor(hostileConfig(t), { fetch });
    await rejectsWithAuthError(
      strict.serverMetadata(),
      'discovery',
      /revocation_endpoint http:\/\/idp\.example\.invalid\/revoke must use https:\/\/.*Set "endpoints\.revocation"/,
    );

    const fixed = clientFor(hostileConfig(t, { endpoints: { revocation: `${t.issuer}/revoke` } }), { fetch });
    const win = openWindow(fixed, t.id);
    try {
      const s = await signInAndStore(fixed, win);
      await win.keeper.remove(s.id, 'test sign-out');
      assert.ok((await t.stats()).revocation >= 1, 'revoked at the overriding endpoint');
      assert.deepEqual(
        urls.filter((u) => u.includes('idp.example.invalid')),
        [],
      );
    } finally {
      win.keeper.dispose();
    }
  });

  test('https and loopback mixes work: token at localhost, JWKS at 127.1, revocation over https on another host', async () => {
    const t = await as.tenant('loopback-https-mix');
    const { fetch, urls } = recordingFetch();
    const client = clientFor(hostileConfig(t), { fetch });
    const win = openWindow(client, t.id);
    try {
      const s = await signInAndStore(client, win);
      assert.equal(s.account.label, 'alice');
      assert.ok(
        urls.some((u) => u.startsWith('http://localhost:') && u.endsWith('/token')),
        urls.join('\n'),
      );
      const stats = await t.stats();
      assert.equal(stats.token, 1);
      assert.equal(stats.jwks, 1);
      // The https endpoint on another host is allowed by the rule: the request is made (and fails: no such host).
      await rejectsWithAuthError(client.revoke(s.tokens.refreshToken!, 'refresh_token'), 'network');
      assert.deepEqual(
        urls.filter((u) => u.includes('idp.example.invalid')),
        ['https://idp.example.invalid/revoke'],
      );
    } finally {
      win.keeper.dispose();
    }
  });
});
