/**
 * MCP servers through the bridge in the real extension host: a real MCP server (the official SDK, streamable HTTP)
 * that accepts only the test AS's JWT access tokens for it (RFC 8707 audience, 6-second lifetime), and VS Code's own
 * MCP client starting it through our definition provider. Also the SDK's client with the window's secret, token
 * expiry and refresh without a prompt, a token refused early, a dead grant ("sign in again", no endless retries),
 * requests without the secret, and tokens never going to another origin.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { McpServers } from '../../src/vscode/mcpServers';
import { approvalKey, parseMcpServer } from '../../src/mcp/serverEntries';
import { MCP_APPROVALS_KEY } from '../../src/vscode/mcpHost';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { startMcpServer, type TestMcpServer } from '../support/mcpServer';
import { jwtVerifier } from '../support/jwtAccessTokens';
import { connectMcp, type McpTestClient } from '../support/mcpClient';
import { startRecordingServer, type RecordingServer } from '../support/recordingServer';
import { api, setProviders, signIn, until } from './support';

const NAME = 'IT MCP';
const SERVER_ID = `openauth.oauth-accounts/${NAME}`;

async function setMcpServers(value: unknown[] | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration()
    .update('oauthAccounts.mcpServers', value, vscode.ConfigurationTarget.Global);
}

/** Complete lines the extension captured (log and notifications) since `from` (OAUTH_ACCOUNTS_LOG_FILE). */
function captured(from = 0): string[] {
  const file = process.env.OAUTH_ACCOUNTS_LOG_FILE;
  const lines = file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  if (lines.at(-1) === '') lines.pop(); // the file ends with a newline: no line after it yet
  return lines.slice(from);
}

suite('MCP servers through the bridge in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  let mcp: TestMcpServer;
  let elsewhere: RecordingServer;
  let mcpServers: McpServers;
  const entry = () => ({ name: NAME, url: mcp.url, providerId: 'it-mcp', resource: mcp.url, scopes: ['api:read'] });
  const bridgeFor = async () => {
    const resolved = await (await mcpServers.host()).resolve(NAME);
    assert.ok(resolved, 'resolved');
    return resolved;
  };
  /** The SDK's client through the bridge with this window's secret, closed afterwards. */
  const withClient = async (use: (c: McpTestClient) => Promise<void>) => {
    const { url, headers } = await bridgeFor();
    const c = await connectMcp(url, headers);
    try {
      await use(c);
    } finally {
      await c.close().catch(() => undefined);
    }
  };

  suiteSetup(async () => {
    mcp = await startMcpServer();
    elsewhere = await startRecordingServer();
    op = await startOpProcess({ accessTokenTtl: 6, clockTolerance: 0, resourceIndicators: [mcp.url] });
    mcp.verifyWith(jwtVerifier(op.issuer, mcp.url), op.issuer);
    const internals = await api();
    mcpServers = (internals as unknown as { mcp: McpServers }).mcp;
    await setProviders([
      {
        id: 'it-mcp',
        label: 'IT MCP IdP',
        issuer: op.issuer,
        clientId: TEST_CLIENTS.public,
        flow: 'loopback',
        resources: [mcp.url],
      },
    ]);
    await until('provider registered', () => internals.registry.get('it-mcp'));
    // The user's approval of where this entry's tokens go (the modal VS Code refuses to show under test).
    const parsed = parseMcpServer(entry());
    assert.ok('entry' in parsed);
    await internals.globalState.update(MCP_APPROVALS_KEY, [approvalKey(parsed.entry)]);
    await setMcpServers([entry()]);
    await signIn('it-mcp', ['api:read']);
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SERVER_ID).then(undefined, () => undefined);
    await setMcpServers(undefined);
    await setProviders(undefined);
    await (await api()).globalState.update(MCP_APPROVALS_KEY, undefined);
    await op?.stop();
    await mcp?.stop();
    await elsewhere?.stop();
  });

  test('VS Code lists and starts the server through our provider: its initialize and tools/list pass the bridge with a real token', async () => {
    const secret = (await bridgeFor()).headers.Authorization.slice('Bearer '.length);
    // The leak check also looks for the bridge's secret in everything the extension logged or showed.
    if (process.env.OAUTH_TEST_ISSUED_FILE) fs.appendFileSync(process.env.OAUTH_TEST_ISSUED_FILE, `${secret}\n`);
    mcp.seen.length = 0;
    // VS Code learns the definitions asynchronously: ask it to start the server until it knows it.
    await until(
      'VS Code to start the server and list its tools',
      async () => {
        await vscode.commands.executeCommand('workbench.mcp.startServer', SERVER_ID, { waitForLiveTools: true });
        return mcp.seen.some((s) => s.rpc === 'tools/list' && s.status === 200);
      },
      60_000,
    );
    const fromVsCode = mcp.seen.filter((s) => s.status === 200);
    assert.ok(
      fromVsCode.some((s) => s.rpc === 'initialize'),
      JSON.stringify(mcp.seen.map((s) => [s.method, s.rpc, s.status])),
    );
    assert.ok(
      fromVsCode.every((s) => s.token && s.token.split('.').length === 3),
      'every request carried a JWT access token for the server',
    );
    assert.ok(
      fromVsCode.every((s) => !JSON.stringify(s.headers).includes(secret)),
      'the bridge secret stays between VS Code and the bridge',
    );
    await vscode.commands.executeCommand('workbench.mcp.stopServer', SERVER_ID);
  });

  test("the SDK's client with the window's secret calls a tool through the bridge", () =>
    withClient(async (c) => {
      assert.equal(await c.call('whoami'), 'alice');
      assert.equal(await c.call('echo', { text: 'through the bridge' }), 'through the bridge');
    }));

  test('after the access token expires the next call succeeds with a refreshed token, and nobody is asked anything', () =>
    withClient(async (c) => {
      assert.equal(await c.call('whoami'), 'alice');
      const first = mcp.seen.at(-1)!.token!;
      const lines = captured().length;
      await op.resetStats();
      await new Promise((r) => setTimeout(r, 7_000)); // past the 6 s lifetime of `first`
      assert.equal(await c.call('whoami'), 'alice');
      assert.notEqual(mcp.seen.at(-1)!.token, first, 'a new token');
      assert.ok((await op.stats()).tokenByGrant.refresh_token >= 1);
      assert.deepEqual(
        captured(lines).filter((l) => /^\[(notification|input|quick pick)/.test(l)),
        [],
        'no prompt, no notification',
      );
    }));

  test('a token the server refuses before its time: one refresh, one retry, the call succeeds', () =>
    withClient(async (c) => {
      await op.resetStats();
      mcp.rejectNext(1);
      assert.equal(await c.call('whoami'), 'alice');
      assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    }));

  test("another extension's configurationDefaults cannot plant an MCP server", async () => {
    // test/fixtures/defaults-ext (installed beside us) contributes one; the setting disallows configuration defaults.
    assert.ok(vscode.extensions.getExtension('openauth-tests.defaults'));
    assert.deepEqual(
      vscode.workspace.getConfiguration().inspect<unknown[]>('oauthAccounts.mcpServers')?.defaultValue,
      [],
    );
    assert.deepEqual(
      (await mcpServers.host()).entries().map((e) => e.name),
      [NAME],
    );
  });

  test('a request without the secret is refused, and nothing reaches the server', async () => {
    const { url } = await bridgeFor();
    const before = mcp.seen.length;
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer not-the-secret' }];
    for (const headers of attempts) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(init),
      });
      assert.equal(res.status, 401);
    }
    assert.equal(mcp.seen.length, before);
  });

  test('tokens never go to another origin: a rewritten entry is not served without approval, a redirect is not followed', async () => {
    const { url, headers } = await bridgeFor();
    // An extension rewrites the entry to its own server (same name, same provider): not approved, so not served.
    await setMcpServers([{ ...entry(), url: `${elsewhere.issuer}/mcp`, resource: undefined }]);
    await until(
      'the bridge to drop the unapproved entry',
      async () =>
        (await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' }))
          .status === 404,
    );
    assert.equal(
      await (await mcpServers.host()).resolve(NAME),
      undefined,
      'not started: the approval modal is refused under test',
    );
    assert.deepEqual(elsewhere.requests, []);
    await setMcpServers([entry()]);
    // The real server redirects elsewhere: the bridge answers 502 and goes nowhere else.
    const back = await bridgeFor();
    mcp.override = { status: 307, headers: { location: `${elsewhere.issuer}/steal` } };
    try {
      const res = await fetch(back.url, {
        method: 'POST',
        headers: { ...back.headers, 'content-type': 'application/json' },
        body: '{}',
        redirect: 'manual',
      });
      assert.equal(res.status, 502);
      assert.equal(res.headers.get('location'), null);
    } finally {
      mcp.override = undefined;
    }
    assert.deepEqual(elsewhere.requests, []);
  });

  test('a revoked refresh token: "sign in again", a 503 with the reason, and no retry loop', () =>
    withClient(async (c) => {
      const provider = (await api()).registry.get('it-mcp')!;
      const [stored] = await provider.store.readAll();
      await (
        provider.keeper as unknown as { deps: { client: { revoke(t: string, h: string): Promise<void> } } }
      ).deps.client.revoke(stored.tokens.refreshToken!, 'refresh_token');
      const lines = captured().length;
      await op.resetStats();
      await new Promise((r) => setTimeout(r, 7_000)); // the access token expires; its refresh must fail
      for (let i = 0; i < 4; i++) await assert.rejects(c.call('whoami'), /503|sign in again/i);
      assert.ok(
        (await op.stats()).tokenByGrant.refresh_token <= 1,
        'the dead refresh token was tried at most once, not once per call',
      );
      const shown = captured(lines).filter((l) => l.startsWith('[notification'));
      assert.ok(
        shown.some((l) => /sign in (to IT MCP IdP )?again/i.test(l) && l.includes('[Sign In]')),
        shown.join('\n'),
      );
      assert.ok(shown.length <= 3, `told once, not per request:\n${shown.join('\n')}`);
    }));

  test('403 insufficient_scope without a session for the larger set: asked in a modal; no yes refuses the call, and is remembered until Reset', async () => {
    // Only the entry's scopes (the test above revoked the last session). The host refuses dialogs under test, which
    // answers the modal as Cancel does.
    await signIn('it-mcp', ['api:read']);
    try {
      const authorizations = (await op.stats()).authorization;
      await withClient(async (c) => {
        const lines = captured().length;
        mcp.seen.length = 0;
        await assert.rejects(c.call('write'), /was not allowed/);
        const asked = () => captured(lines).filter((l) => /asks for more access/.test(l));
        assert.equal(asked().length, 1, 'asked once');
        assert.match(asked()[0], /^\[notification warning\].*Scopes: api:read api:write/);
        await assert.rejects(
          c.call('write'),
          /not allowed; run "OAuth Accounts: Reset MCP Server Sign-in\.\.\." to be asked again/,
        );
        assert.equal(asked().length, 1, 'not asked again');
        assert.equal(await c.call('whoami'), 'alice', "the entry's own scopes still work");
        assert.deepEqual(
          mcp.seen.filter((s) => s.rpc === 'tools/call').map((s) => s.status),
          [403, 403, 200],
        );
      });
      assert.equal((await op.stats()).authorization, authorizations, 'no sign-in was started');
    } finally {
      (await mcpServers.host()).tokens.forget(NAME); // as Reset MCP Server Sign-in does
    }
  });

  // Last: it leaves this window using the larger scope set for the server.
  test("403 insufficient_scope: a session for the server's larger scope set is used without asking, and the call is retried once", async () => {
    // Two sessions: the entry's scopes (replacing the one the test above left) and the larger set the server asks for.
    const narrow = await signIn('it-mcp', ['api:read']);
    const wide = await signIn('it-mcp', ['api:read', 'api:write']);
    assert.notEqual(narrow.accessToken, wide.accessToken);
    await withClient(async (c) => {
      const lines = captured().length;
      mcp.seen.length = 0;
      assert.equal(await c.call('write'), 'written');
      const calls = mcp.seen.filter((s) => s.rpc === 'tools/call');
      assert.deepEqual(
        calls.map((s) => [
          s.status,
          s.token === narrow.accessToken ? 'narrow' : s.token === wide.accessToken ? 'wide' : '?',
        ]),
        [
          [403, 'narrow'],
          [200, 'wide'],
        ],
        "refused with the entry's token, then retried once with the larger scope set's",
      );
      assert.equal(await c.call('write'), 'written', 'the next call uses the larger scope set at once');
      assert.equal(mcp.seen.filter((s) => s.status === 403).length, 1, 'no second refusal');
      const asked = captured(lines).filter((l) => /^\[(notification|input|quick pick|modal)/.test(l));
      assert.deepEqual(asked, [], 'nobody was asked anything: the larger session existed');
    });
  });
});
