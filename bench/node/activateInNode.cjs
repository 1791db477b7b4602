// One start of our production bundle in a fresh plain Node process, `vscode` stubbed: what our own activate() costs
// (first-run compilation included, as at every start), without the extension host's API calls and without the other
// processes of a code-server start competing for the machine's cores. The extension host figure (bench/host/index.js)
// swings by ±1.5 ms between runs of the same code on a 2-core machine; this one moves with our code only, so it is the
// one that shows what a change did. Plain CommonJS, no build step.
//   node activateInNode.cjs <dist/extension.js> <providers>   → one JSON line on stdout
const Module = require('node:module');
const path = require('node:path');

const [main, providerCount = '10'] = process.argv.slice(2);

// Anything activate() touches that is not spelled out below answers with a no-op that returns itself: a disposable,
// an event, a thenable-free object. What the measurement depends on is spelled out.
const noop = () =>
  new Proxy(function () {}, {
    get: (_, key) => (key === 'then' ? undefined : key === 'dispose' ? () => {} : noop()),
    apply: () => noop(),
    construct: () => noop(),
  });
class Disposable {
  constructor(f) {
    this.f = f;
  }
  dispose() {
    this.f?.();
  }
}
class EventEmitter {
  listeners = [];
  event = (l) => (this.listeners.push(l), new Disposable());
  fire(e) {
    for (const l of this.listeners) l(e);
  }
  dispose() {}
}
const providers = Array.from({ length: Number(providerCount) }, (_, i) => ({
  id: `bench-${i}`,
  label: `Bench IdP ${i}`,
  issuer: 'http://127.0.0.1:41234',
  clientId: 'public-client',
  scopes: ['openid', 'profile', 'email', 'offline_access'],
}));
const settings = { 'oauthAccounts.providers': providers };
// As many installed extensions as code-server's built-ins, one contributing an authentication provider.
const extensions = Array.from({ length: 90 }, (_, i) => ({
  id: `vscode.builtin-${i}`,
  packageJSON: { contributes: i === 3 ? { authentication: [{ id: 'github', label: 'GitHub' }] } : {} },
}));
let registered = 0;
const vscode = {
  Disposable,
  EventEmitter,
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  UIKind: { Desktop: 1, Web: 2 },
  version: '1.106.0',
  env: { uiKind: 1 },
  Uri: { parse: (s) => ({ toString: () => s }) },
  workspace: {
    getConfiguration: (section) => ({
      get: (key, fallback) => settings[section ? `${section}.${key}` : key] ?? fallback,
    }),
    onDidChangeConfiguration: () => new Disposable(),
    onDidGrantWorkspaceTrust: () => new Disposable(),
  },
  extensions: {
    get all() {
      return extensions.map((e) => ({ ...e }));
    },
  },
  authentication: {
    registerAuthenticationProvider: () => (registered++, new Disposable()),
  },
  commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined },
  window: { registerUriHandler: () => new Disposable(), createOutputChannel: () => noop() },
  lm: { registerMcpServerDefinitionProvider: () => new Disposable() },
  McpHttpServerDefinition: class {},
};
const stub = new Proxy(vscode, { get: (target, key) => (key in target ? target[key] : noop()) });
const load = Module._load;
Module._load = function (request) {
  return request === 'vscode' ? stub : load.apply(this, arguments);
};

const storage = () => ({ get: () => undefined, update: async () => {}, keys: () => [] });
const context = {
  extensionMode: 1,
  extensionPath: path.dirname(path.dirname(path.resolve(main))),
  subscriptions: [],
  secrets: noop(),
  globalState: storage(),
  workspaceState: storage(),
  extensionUri: noop(),
  globalStorageUri: noop(),
};

// The managed file at the system path is read as in production (an installed extension reads no override): where one
// exists, the run measures parsing it too, and says so.
const systemFile = {
  linux: '/etc/oauth-accounts/managed.json',
  darwin: '/Library/Application Support/OAuthAccounts/managed.json',
}[process.platform];
const systemManagedFile = !!systemFile && require('node:fs').existsSync(systemFile);

const t0 = performance.now();
const ext = require(path.resolve(main));
const t1 = performance.now();
const api = ext.activate(context);
const t2 = performance.now();
process.stdout.write(
  JSON.stringify({
    codeLoadingMs: t1 - t0,
    activateCallMs: t2 - t1,
    registered,
    providers: api.getProviders().length,
    systemManagedFile,
  }) + '\n',
);
process.exit(0); // the deferred work after activate() (output channel, recommendations) is not measured
