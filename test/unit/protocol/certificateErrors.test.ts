/**
 * A server whose certificate comes from a private CA (issue #26), over real TLS: the test AS on https with a
 * certificate from a CA made for this run (test/support/privateCa.ts). Untrusted, discovery fails with a message that
 * names the host, the certificate problem and the fix, through node-fetch (the Node extension host's fetch) and the
 * global fetch alike; trusted, it works; a certificate for another host name is the server's to fix. A refused
 * certificate never signs anyone out: it stays a transient failure.
 */
import * as assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { readFileSync, rmSync } from 'node:fs';
import nodeFetch from 'node-fetch';
import { ProviderClient } from '../../../src/protocol/client';
import { NetworkError } from '../../../src/protocol/errors';
import { toAuthError } from '../../../src/protocol/libraryErrors';
import { certificateProblem } from '../../../src/protocol/certificateErrors';
import { platformFetch } from '../../../src/node/fetch';
import type { BaseFetch } from '../../../src/protocol/http';
import { refreshVerdict } from '../../../src/sessions/refreshingSource';
import { issueServerCertificate, makePrivateCa, type PrivateCa } from '../../support/privateCa';
import { startOpProcess, type OpProcess } from '../../support/op';
import { rejectsWithAuthError } from '../../support/assertions';
import { testConfig } from '../../support/protocolHarness';

const globalFetch: BaseFetch = (u, i) => fetch(u, i as RequestInit);

suite('protocol: a server certificate from a private CA', function () {
  this.timeout(30_000);
  let ca: PrivateCa;
  let op: OpProcess;
  let host: string;
  suiteSetup(async () => {
    ca = makePrivateCa();
    op = await startOpProcess({ tls: issueServerCertificate(ca, '127.0.0.2') });
    host = new URL(op.issuer).host;
  });
  suiteTeardown(async () => {
    await op?.stop();
    if (ca) rmSync(ca.dir, { recursive: true, force: true });
  });

  for (const [name, fetchImpl] of [
    ['node-fetch', platformFetch],
    ['global fetch', globalFetch],
  ] as const) {
    test(`untrusted (${name}): the message names the host, the problem and the fix`, async () => {
      assert.match(op.issuer, /^https:/);
      const client = new ProviderClient(testConfig(op), { fetch: fetchImpl, getClientSecret: async () => undefined });
      const e = await rejectsWithAuthError(client.serverMetadata(), 'network');
      assert.match(
        e.message,
        new RegExp(
          `the certificate of ${host.replace(/\./g, '\\.')} is not trusted \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE: it was issued by a certificate authority this machine does not know\\)`,
        ),
      );
      assert.match(e.message, /install that CA certificate in the operating system's trust store/);
      assert.match(e.message, /"http\.systemCertificates"/);
      assert.match(e.message, /NODE_EXTRA_CA_CERTS/);
      assert.doesNotMatch(e.message, /could not be reached/);
      assert.equal(refreshVerdict(e), 'retry', 'a refused certificate keeps sessions');
    });
  }

  test('trusted (the CA given to the TLS layer): discovery works over the same server', async () => {
    const agent = new Agent({ ca: readFileSync(ca.cert) });
    const trusting: BaseFetch = (u, i) => nodeFetch(u, { ...(i as object), agent }) as unknown as Promise<Response>;
    const as = await new ProviderClient(testConfig(op), {
      fetch: trusting,
      getClientSecret: async () => undefined,
    }).serverMetadata();
    assert.equal(as.issuer, op.issuer);
  });

  test("a trusted certificate for another host name: named as the server's problem, no CA advice", async () => {
    const other = await startOpProcess({ tls: issueServerCertificate(ca, '127.0.0.3') });
    try {
      const agent = new Agent({ ca: readFileSync(ca.cert) });
      const trusting: BaseFetch = (u, i) => nodeFetch(u, { ...(i as object), agent }) as unknown as Promise<Response>;
      const e = await rejectsWithAuthError(
        new ProviderClient(testConfig(other), {
          fetch: trusting,
          getClientSecret: async () => undefined,
        }).serverMetadata(),
        'network',
      );
      assert.match(e.message, /is not trusted \(ERR_TLS_CERT_ALTNAME_INVALID: it was issued for another host name\)/);
      assert.match(e.message, /administrator must fix its certificate/);
      assert.doesNotMatch(e.message, /NODE_EXTRA_CA_CERTS/);
    } finally {
      await other.stop();
    }
  });

  test('the certificate codes, on the error or its cause; anything else stays "could not be reached"', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code });
    for (const code of [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ]) {
      assert.equal(certificateProblem(new TypeError('fetch failed', { cause: coded(code) }))?.fix, 'trust', code);
    }
    assert.equal(certificateProblem(coded('CERT_HAS_EXPIRED'))?.fix, 'server');
    assert.equal(certificateProblem(coded('ECONNREFUSED')), undefined);
    const expired = toAuthError(new NetworkError(coded('CERT_HAS_EXPIRED'), 'idp.example.com'), 'Discovery');
    assert.match(
      expired.message,
      /^Discovery failed: the certificate of idp\.example\.com is not trusted \(CERT_HAS_EXPIRED: it has expired/,
    );
    assert.match(
      toAuthError(new NetworkError(coded('ECONNREFUSED'), 'idp.example.com'), 'Discovery').message,
      /could not be reached \(ECONNREFUSED\)/,
    );
  });
});
