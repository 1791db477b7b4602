/**
 * Attack: text a server controls becomes a live `[label](command:…)` link in an input box. A protected resource's
 * RFC 9728 metadata names the authorization server `https://as.evil/[Get an initial access token](command:…)`; it
 * passed the https rule, was picked without asking (the only one), accepted as the issuer, and shown in the
 * initial-access-token prompt (VS Code ≥ 1.76 renders links in input box prompts and validation messages), then in
 * the Set Client Secret prompt once the wizard had written it to the settings. Closed twice over: such URLs are
 * refused wherever a URL enters (settings, the API, the wizard, resource metadata, device verification URIs), and
 * every text that reaches the workbench passes one guard (src/vscode/notify.ts), which these tests call with a
 * stand-in `vscode`. Also: the RFC 9728 loopback rule and the device flow's verification_uri_complete origin.
 */
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { parseProvider } from '../../src/protocol/config';
import { serverUrlProblem } from '../../src/protocol/urls';
import { createFetch } from '../../src/protocol/http';
import { discoverProtectedResource } from '../../src/protocol/resourceMetadata';
import { engineFor } from '../../src/engine/engine';
import { RegistrationStore } from '../../src/sessions/registrationStore';
import { FakeSecrets } from '../support/fakeSecrets';
import { startOpProcess, type OpProcess } from '../support/op';
import { startResourceServer, type ResourceServer } from '../support/resourceServer';
import { testClient, testConfig } from '../support/protocolHarness';
import { rejectsWithAuthError } from '../support/assertions';
import { clientFor, hostileConfig, startHostileAs, type HostileAs } from './support';

const LINK =
  '[Get an initial access token](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20evil%22%7D)';
const EVIL_AS = `https://as.evil/${LINK}`;
const seam = createFetch((u, i) => fetch(u, i as RequestInit), { timeoutMs: 5_000 });

/**
 * Link syntax VS Code renders in notifications, prompts and validation messages (`](` joined, as its link parser and
 * Markdown require), or an `$(icon)`. The guard's `] (` and `$ (` read the same and render as text.
 */
function assertInert(text: string | undefined, what: string): void {
  assert.doesNotMatch(text ?? '', /\]\(|\$\(/, `${what} is live: ${JSON.stringify(text)}`);
}

suite('security: a server URL with link syntax is refused wherever a URL enters', () => {
  test('the URL rule: whitespace, [ ] ( ) ` < > and \\ are refused anywhere in the text; an IPv6 host keeps its brackets', () => {
    for (const bad of [
      EVIL_AS,
      'https://a.example/x y',
      'https://a.example/(x)',
      'https://a.example/`x`',
      'https://a.example/<x>',
      'https://a.example\\evil.example',
      ' https://a.example',
      'https://a.example/\t',
    ]) {
      assert.match(serverUrlProblem(bad) ?? '', /must not contain/, bad);
    }
    assert.equal(serverUrlProblem('http://[::1]:8080/realms/x'), undefined);
    assert.match(
      serverUrlProblem('https://sso.corp.example@evil.example/') ?? '',
      /user name or password/,
      'user info: the host is evil.example',
    );
    assert.match(
      serverUrlProblem('https://[::1]@evil.example/') ?? '',
      /"\["|user name/,
      'brackets are an IPv6 host only right after the scheme',
    );
    assert.equal(serverUrlProblem('https://login.example/tenant/v2.0?x=%5B%5D'), undefined, 'percent-encoded is fine');
    assert.match(serverUrlProblem('http://[::1]:8080/[x]') ?? '', /"\["/, 'the path of an IPv6 URL is checked too');
  });

  test('settings and the API (one validator): every URL field is refused, naming the field', () => {
    const base = { id: 'p', label: 'P', clientId: 'c' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ issuer: EVIL_AS }, 'issuer'],
      [{ issuer: 'https://a.example', discoveryUrl: `https://a.example/${LINK}` }, 'discoveryUrl'],
      [
        { endpoints: { authorization: 'https://a.example/auth', token: `https://a.example/${LINK}` } },
        'endpoints.token',
      ],
      [{ issuer: 'https://a.example', resources: [`https://api.example/${LINK}`] }, 'resources'],
    ];
    for (const [entry, field] of cases) {
      const parsed = parseProvider({ ...base, ...entry });
      assert.ok('problem' in parsed, `${field} accepted`);
      assert.equal(parsed.problem.field, field);
      assert.match(parsed.problem.message, /must not contain/);
      assertInert(parsed.problem.message, `the ${field} message`);
    }
  });

  suite('RFC 9728', () => {
    let op: OpProcess;
    let rs: ResourceServer;
    suiteSetup(async () => {
      [op, rs] = await Promise.all([startOpProcess({ registration: true }), startResourceServer()]);
    });
    suiteTeardown(async () => {
      await Promise.all([op?.stop(), rs?.stop()]);
    });

    test('an authorization server with link syntax is never offered; the usable one beside it is', async () => {
      const resource = `${rs.origin}/mcp`;
      rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
        body: { resource, authorization_servers: [EVIL_AS] },
      });
      const err = await rejectsWithAuthError(
        discoverProtectedResource(resource, seam),
        'discovery',
        /none of its authorization servers is a usable URL/,
      );
      assertInert(err.message, 'the refusal');
      rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
        body: { resource, authorization_servers: [EVIL_AS, op.issuer] },
      });
      assert.deepEqual((await discoverProtectedResource(resource, seam)).authorizationServers, [op.issuer]);
    });

    test('a resource_metadata URL with link syntax is not requested', async () => {
      const resource = `${rs.origin}/api`;
      rs.requests.length = 0;
      await rejectsWithAuthError(
        discoverProtectedResource(resource, seam, { challenge: `Bearer resource_metadata="${rs.origin}/${LINK}"` }),
        'discovery',
        /nothing was requested/,
      );
      assert.deepEqual(rs.requests, []);
    });

    test("a resource that is not loopback cannot send us into this machine's loopback network", async () => {
      const requested: string[] = [];
      // A remote resource (fault injection: its answers are scripted) names loopback URLs for its metadata and its server.
      const remote = 'https://api.example/mcp';
      const scripted = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
        new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
      const fake = async (url: string) => {
        requested.push(url);
        if (url === remote)
          return scripted(undefined, 401, { 'www-authenticate': `Bearer resource_metadata="${rs.origin}/meta"` });
        if (url.includes('/.well-known/oauth-protected-resource'))
          return scripted({ resource: remote, authorization_servers: [op.issuer] });
        return scripted(undefined, 404);
      };
      await rejectsWithAuthError(
        discoverProtectedResource(remote, fake, { challenge: `Bearer resource_metadata="${rs.origin}/meta"` }),
        'discovery',
        /loopback or local address/,
      );
      assert.ok(!requested.some((u) => u.startsWith(rs.origin)), requested.join(', '));
      await rejectsWithAuthError(discoverProtectedResource(remote, fake), 'discovery', /loopback or local address/);
      // Other spellings of this machine count too.
      for (const local of ['http://0.0.0.0:8080', 'http://[::ffff:127.0.0.1]:8080', 'https://api.localhost']) {
        const named = async (url: string) =>
          url.includes('/.well-known/oauth-protected-resource')
            ? scripted({ resource: remote, authorization_servers: [local] })
            : scripted(undefined, 404);
        await rejectsWithAuthError(
          discoverProtectedResource(remote, named),
          'discovery',
          /none of its authorization servers is a usable URL/,
        );
      }
      // A loopback resource may name a loopback server (the test setups, a local dev server).
      const local = `${rs.origin}/mcp`;
      rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
        body: { resource: local, authorization_servers: [op.issuer] },
      });
      assert.deepEqual((await discoverProtectedResource(local, seam)).authorizationServers, [op.issuer]);
    });

    test("the wizard's initial-access-token prompt: a hostile issuer reaches VS Code inert", async () => {
      const gated = await startOpProcess({ registration: { initialAccessToken: 'test-only-iat-0123456789' } });
      try {
        const as = await testClient(testConfig(gated)).serverMetadata();
        const { chooseClient, calls } = loadWithFakeVscode();
        // The metadata as a hostile resource would have steered it in: its issuer carries the link.
        const hostile = { ...as, issuer: EVIL_AS };
        const registry = {
          registrations: new RegistrationStore(new FakeSecrets()),
          registrationRedirectUris: () => ['http://127.0.0.1/callback'],
        };
        await chooseClient(
          registry as never,
          hostile,
          { issuer: EVIL_AS, endpoints: {} },
          engineFor({ fetch: (u, i) => fetch(u, i as RequestInit), flows: [] }),
          'Evil',
          async () => undefined,
        );
        const prompts = calls.filter((c) => c.kind === 'showInputBox');
        assert.equal(prompts.length, 1, `the prompt was shown: ${JSON.stringify(calls.map((c) => c.kind))}`);
        for (const c of calls) for (const [k, v] of Object.entries(c.texts)) assertInert(v, `${c.kind} ${k}`);
        assert.match(prompts[0].texts.prompt ?? '', /initial access token/);
      } finally {
        await gated.stop();
      }
    });
  });
});

suite("security: a remote server cannot send us into this machine's loopback network", () => {
  test('discovered metadata of a remote issuer naming loopback endpoints fails discovery; nothing is sent there', async () => {
    const sent: string[] = [];
    const remote = 'https://idp.example';
    const fetchFake = async (url: string) => {
      sent.push(url);
      return new Response(
        JSON.stringify({
          issuer: remote,
          authorization_endpoint: `${remote}/authorize`,
          token_endpoint: 'http://127.0.0.1:9/token',
          registration_endpoint: 'http://127.0.0.1:9/register',
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    };
    const client = clientFor(
      {
        id: 'r',
        label: 'R',
        issuer: remote,
        endpoints: {},
        clientId: 'c',
        clientAuthentication: 'none',
        authorizationParameters: {},
        flow: 'auto',
      },
      { fetch: fetchFake },
    );
    await rejectsWithAuthError(client.serverMetadata(), 'discovery', /loopback or local address/);
    assert.ok(
      sent.every((u) => u.startsWith(remote)),
      sent.join(', '),
    );
  });
});

suite('security: the device flow opens only what it shows', () => {
  let as: HostileAs;
  suiteSetup(async () => {
    as = await startHostileAs();
  });
  suiteTeardown(async () => {
    await as?.stop();
  });

  test('a verification_uri_complete on another origin than the verification_uri is dropped: the page shown is the page opened', async () => {
    const t = await as.tenant('device-complete-elsewhere');
    const handle = await clientFor(hostileConfig(t, { flow: 'device-code' })).startDeviceAuthorization([]);
    assert.equal(handle.verificationUri, `${t.issuer}/activate`);
    assert.equal(handle.verificationUriComplete, undefined);
  });
});

suite('security: every text the workbench shows passes one guard (src/vscode/notify.ts)', () => {
  const HOSTILE = 'Server says [Run](command:workbench.action.terminal.new) $(alert)\nforged\u001b';

  test('input box: title, prompt, placeholder and every validation message (text or object) reach VS Code inert, and are captured', async () => {
    const { notify, log, calls } = loadWithFakeVscode();
    const captured: string[] = [];
    log.setCaptureSink((l) => captured.push(l));
    try {
      await notify.showInputBox({
        title: HOSTILE,
        prompt: HOSTILE,
        placeHolder: HOSTILE,
        validateInput: (v) => (v === 'object' ? { message: HOSTILE, severity: 3 } : HOSTILE),
      });
      const [call] = calls;
      assert.equal(call.kind, 'showInputBox');
      for (const [k, v] of Object.entries(call.texts)) {
        assertInert(v, k);
        assert.doesNotMatch(v ?? '', /[\n\u001b]/, k);
      }
      assert.match(call.texts.prompt ?? '', /^Server says \[Run\] \(command:/, 'still says what the server said');
      assert.equal(
        Object.keys(call.texts).filter((k) => k.startsWith('validation')).length,
        2,
        'both validation shapes were checked',
      );
      assert.ok(
        captured.some((l) => l.startsWith('[input] ')) && captured.some((l) => l.startsWith('[input validation] ')),
        captured.join('\n'),
      );
      for (const l of captured) assertInert(l, 'a captured line');
    } finally {
      log.setCaptureSink(undefined);
    }
  });

  test("quick pick: title, placeholder, and each item's label, description and detail reach VS Code inert; the answer is the caller's own item", async () => {
    const { notify, calls } = loadWithFakeVscode();
    const mine = { label: HOSTILE, description: HOSTILE, detail: HOSTILE, payload: 42 };
    const picked = await notify.showQuickPick([mine], { title: HOSTILE, placeHolder: HOSTILE });
    assert.equal(picked, mine, 'callers compare the answer with their own item');
    for (const [k, v] of Object.entries(calls[0].texts)) assertInert(v, k);
  });
});

interface Call {
  kind: string;
  texts: Record<string, string | undefined>;
}

/** src/vscode/wizard/addProviderClient.ts (and notify, ui, log) bound to a stand-in `vscode` that records every text. */
function loadWithFakeVscode(): {
  chooseClient: typeof import('../../src/vscode/wizard/addProviderClient').chooseClient;
  notify: typeof import('../../src/vscode/notify');
  log: typeof import('../../src/vscode/log');
  calls: Call[];
} {
  const calls: Call[] = [];
  type Validate = (v: string) => unknown;
  const fake = {
    window: {
      showInputBox: async (o: { title?: string; prompt?: string; placeHolder?: string; validateInput?: Validate }) => {
        const texts: Record<string, string | undefined> = {
          title: o.title,
          prompt: o.prompt,
          placeHolder: o.placeHolder,
        };
        for (const input of ['text', 'object']) {
          const v = (await o.validateInput?.(input)) as string | { message: string } | undefined;
          if (v) texts[`validation ${input}`] = typeof v === 'string' ? v : v.message;
        }
        calls.push({ kind: 'showInputBox', texts });
        return undefined;
      },
      showQuickPick: async (
        items: Array<{ label: string; description?: string; detail?: string }>,
        o: { title?: string; placeHolder?: string },
      ) => {
        calls.push({
          kind: 'showQuickPick',
          texts: {
            title: o.title,
            placeHolder: o.placeHolder,
            ...Object.fromEntries(
              items.map((i, n) => [`item${n}`, `${i.label} ${i.description ?? ''} ${i.detail ?? ''}`]),
            ),
          },
        });
        return items[0]; // the wizard's "Register automatically"
      },
      withProgress: (o: { title?: string }, task: (p: { report(): void }, t: unknown) => Promise<unknown>) => {
        calls.push({ kind: 'withProgress', texts: { title: o.title } });
        return task({ report() {} }, {});
      },
      showErrorMessage: async (m: string) => {
        calls.push({ kind: 'showErrorMessage', texts: { message: m } });
        return undefined;
      },
      showInformationMessage: async (m: string) => {
        calls.push({ kind: 'showInformationMessage', texts: { message: m } });
        return undefined;
      },
      showWarningMessage: async (m: string) => {
        calls.push({ kind: 'showWarningMessage', texts: { message: m } });
        return undefined;
      },
    },
    env: { uriScheme: 'vscode' },
    Uri: { parse: (s: string) => ({ toString: () => s }) },
    ProgressLocation: { Notification: 15 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  };
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = loader._load;
  const paths = [
    '../../src/vscode/wizard/addProviderClient',
    '../../src/vscode/notify',
    '../../src/vscode/ui',
    '../../src/vscode/log',
  ].map((p) => require.resolve(p));
  for (const p of paths) delete require.cache[p];
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  try {
    return { chooseClient: require(paths[0]).chooseClient, notify: require(paths[1]), log: require(paths[3]), calls };
  } finally {
    loader._load = original;
  }
}
