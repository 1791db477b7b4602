/**
 * A server whose certificate comes from an organisation's private CA (issue #26), in the real extension host. The
 * integration runner (test/host/runIntegration.ts) makes a CA for the run and starts code-server with
 * NODE_EXTRA_CA_CERTS pointing at it — what a user sets for a remote VS Code server — so the extension host trusts
 * that CA and no other. Trusted: sign-in works over https. A CA nobody set up: the sign-in fails with the message
 * that names the host, the problem and the fix.
 *
 * The browser half of the sign-in is played by the test AS (/__test/drive): the test's Chromium knows no private CA,
 * as a user's browser knows the organisation's CA from the system store; what is tested is the extension host.
 * The test's own requests go through the extension's fetch (node-fetch over Node's https): the extension host's
 * global fetch (patched by VS Code) does not take NODE_EXTRA_CA_CERTS into account — one more reason the extension
 * does not use it.
 */
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { issueServerCertificate, makePrivateCa, type PrivateCa } from '../support/privateCa';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { platformFetch } from '../../src/node/fetch';
import { api, setProviders, signIn, signOutAll, until } from './support';

/** A request to the test AS through the extension's own fetch (see above). */
async function call(
  op: OpProcess,
  path: string,
  init: { method?: string; body?: unknown; bearer?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    ...(init.body ? { 'content-type': 'application/json' } : {}),
    ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
  };
  const res = await platformFetch(`${op.issuer}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: res.ok ? ((await res.json()) as Record<string, unknown>) : {} };
}

suite('A server certificate from a private CA, in the real extension host', function () {
  this.timeout(120_000);
  let trusted: OpProcess | undefined;
  let untrusted: OpProcess | undefined;
  let stranger: PrivateCa | undefined;

  suiteSetup(async function () {
    const dir = process.env.OAUTH_TEST_CA_DIR;
    // Set by runIntegration only (desktop VS Code through test/host/electron.ts has no trusted test CA).
    if (!dir) this.skip();
    const runCa = { dir, cert: join(dir, 'ca.pem'), key: join(dir, 'ca-key.pem') };
    trusted = await startOpProcess({ tls: issueServerCertificate(runCa, '127.0.0.2') });
    stranger = makePrivateCa('A CA this machine does not trust');
    untrusted = await startOpProcess({ tls: issueServerCertificate(stranger, '127.0.0.2') });
    const { registry } = await api();
    // The AS plays the browser and the callback is delivered to the loopback listener, as the browser would.
    registry.testUiOverrides = {
      openExternal: async (url) => {
        const op = url.startsWith(trusted!.issuer) ? trusted! : untrusted!;
        const nav = (
          await call(op, '/__test/drive', { method: 'POST', body: { goto: url, stopAt: 'http://127.0.0.1:' } })
        ).body as { url: string };
        void fetch(nav.url).catch(() => undefined); // the loopback listener: plain http
        return true;
      },
    };
    await setProviders([
      { id: 'it-tls', label: 'IT TLS', issuer: trusted.issuer, clientId: TEST_CLIENTS.public, flow: 'loopback' },
      {
        id: 'it-tls-stranger',
        label: 'IT TLS Stranger',
        issuer: untrusted.issuer,
        clientId: TEST_CLIENTS.public,
        flow: 'loopback',
      },
    ]);
    await until('registered', () => registry.get('it-tls') && registry.get('it-tls-stranger'));
  });
  suiteTeardown(async () => {
    (await api()).registry.testUiOverrides = {};
    await setProviders(undefined);
    await trusted?.stop();
    await untrusted?.stop();
    if (stranger) rmSync(stranger.dir, { recursive: true, force: true });
  });

  test('trusted through NODE_EXTRA_CA_CERTS: sign-in, the API call and sign-out work over https', async () => {
    assert.match(trusted!.issuer, /^https:\/\/127\.0\.0\.2:/);
    const session = await signIn('it-tls');
    assert.equal(session.account.label, 'alice');
    assert.equal((await call(trusted!, '/me', { bearer: session.accessToken })).status, 200);
    await signOutAll('it-tls');
    assert.ok(((await call(trusted!, '/__test/stats')).body.revocation as number) >= 1, 'revoked over https');
  });

  test('a CA nobody set up: the sign-in says the certificate is not trusted, names the host and the fix', async () => {
    const host = new URL(untrusted!.issuer).host.replace(/\./g, '\\.');
    await assert.rejects(signIn('it-tls-stranger'), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(
          `the certificate of ${host} is not trusted \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)`,
        ),
      );
      assert.match(e.message, /"http\.systemCertificates"/);
      assert.match(e.message, /NODE_EXTRA_CA_CERTS/);
      return true;
    });
  });
});
