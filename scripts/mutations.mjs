// The named mutations `npm run mutate` applies (scripts/mutate.mjs): each breaks one promise the README or SECURITY.md
// makes, by one exact search/replace in one src file, and names the tests that must then fail. A mutation whose
// search text is no longer in the file is reported as NOT APPLIED (the code moved: update the entry), never as killed.
//
//   name:  what `npm run mutate -- <name>` takes
//   file:  the src file; find: text that must occur exactly once; replace: what it becomes
//   tests: compiled test files (out/...) mocha runs; grep: optionally narrows them to the tests that hold the promise

const unit = (p) => `out/test/unit/${p}.test.js`;
const security = (p) => `out/test/security/${p}.test.js`;

export const MUTATIONS = [
  // The five that survived every unit and security test before issue #25.
  {
    name: 'commit-no-revoke',
    file: 'src/sessions/sessionKeeper.ts',
    what: 'SessionKeeper.commit() does not revoke the tokens a refresh produced after a sign-out raced it',
    find: '    await revokeTokens(this.deps.client, next, this.deps.log);\n    await this.syncFromStorage();',
    replace: '    await this.syncFromStorage();',
    tests: [unit('sessions/signOutRace')],
  },
  {
    name: 'remove-no-wait',
    file: 'src/sessions/sessionKeeper.ts',
    what: 'remove() does not wait for a refresh already in flight',
    find: 'const refreshing = fromRefresh ? undefined : this.source.inFlight(id);',
    replace: 'const refreshing = undefined as Promise<unknown> | undefined;',
    tests: [unit('sessions/signOutRace')],
  },
  {
    name: 'backoff-flat',
    file: 'src/sessions/failureHandling.ts',
    what: 'the back-off after a transient failure never grows (always 15 s)',
    find: 'BACKOFF_MS[Math.min(n - 1, BACKOFF_MS.length - 1)]',
    replace: 'BACKOFF_MS[0]',
    tests: [unit('sessions/backoff')],
  },
  {
    name: 'no-retry-timer',
    file: 'src/sessions/failureHandling.ts',
    what: 'a transient refresh failure starts no background retry',
    find: '        h.retryIn(s.id, delay);\n',
    replace: '',
    tests: [unit('sessions/backoff')],
  },
  {
    name: 'no-select-account',
    file: 'src/protocol/authorizationRequest.ts',
    what: 'prompt=select_account is never sent, even to a server that advertises it',
    find: "prompts.push('select_account');",
    replace: '{ /* mutated: never sent */ }',
    tests: [unit('protocol/client'), unit('protocol/requestParts')],
    grep: 'select_account|account picker',
  },
  // Also held by backoff.test.ts since #25.
  {
    name: 'backoff-no-reset',
    file: 'src/sessions/failureHandling.ts',
    what: 'the back-off does not start again at 15 s after a successful refresh',
    find: '        failures.delete(current.id);\n',
    replace: '',
    tests: [unit('sessions/backoff')],
  },
  // The twelve core behaviours the unit and security suites already held before #25.
  {
    name: 'state',
    file: 'src/protocol/codeExchange.ts',
    what: 'the callback state is not checked',
    find: 'oauth.validateAuthResponse(as, { client_id: clientId }, callback, state)',
    replace: 'oauth.validateAuthResponse(as, { client_id: clientId }, callback, oauth.skipStateCheck)',
    tests: [unit('protocol/client'), security('callbacks')],
  },
  {
    name: 'pkce',
    file: 'src/protocol/client.ts',
    what: 'the PKCE code verifier is the same for every sign-in',
    find: 'const codeVerifier = client.randomPKCECodeVerifier();',
    replace: "const codeVerifier = 'mutated-constant-pkce-verifier-0123456789abcdef';",
    tests: [unit('protocol/client')],
  },
  {
    name: 'nonce',
    file: 'src/protocol/client.ts',
    what: 'no nonce is sent or checked',
    find: "const nonce = scopes.includes('openid') ? client.randomNonce() : undefined;",
    replace: 'const nonce = undefined as string | undefined;',
    tests: [unit('protocol/client'), security('hostileServer')],
  },
  {
    name: 'server-binding',
    file: 'src/sessions/serverBinding.ts',
    what: 'any two server bindings count as the same (secrets follow a changed issuer or client)',
    find: 'return !!a && !!b && bindingKey(a) === bindingKey(b);',
    replace: 'return !!a && !!b;',
    tests: [unit('sessions/serverBinding'), security('storage')],
  },
  {
    name: 'lease',
    file: 'src/sessions/refreshLease.ts',
    what: 'every window believes it holds the refresh lease',
    find: 'return after?.owner === o.owner;',
    replace: 'return true;',
    tests: [unit('sessions/crossWindow'), unit('sessions/tokenSources')],
  },
  {
    name: 'single-flight',
    file: 'src/sessions/tokenSource.ts',
    what: 'concurrent callers each start their own refresh',
    find: 'let p = inflight.get(current.id);',
    replace: 'let p: Promise<StoredSession | undefined> | undefined;',
    tests: [unit('sessions/sessionKeeper')],
    grep: 'single flight',
  },
  {
    name: 'revocation',
    file: 'src/sessions/revocation.ts',
    what: 'a sign-out never revokes the refresh token',
    find: "const done = refreshToken ? await client.revoke(refreshToken, 'refresh_token') : false;",
    replace: 'const done = false;',
    tests: [unit('sessions/sessionKeeper'), unit('sessions/signOutRace')],
  },
  {
    name: 'classification',
    file: 'src/sessions/refreshingSource.ts',
    what: 'a network error counts as a dead grant (the session ends on an outage)',
    find: "if (err.code === 'invalid_grant') return 'dead';",
    replace: "if (err.code === 'invalid_grant' || err.code === 'network') return 'dead';",
    tests: [unit('sessions/refreshFailures')],
  },
  {
    name: 'redaction',
    file: 'src/vscode/redact.ts',
    what: 'a secret after its name (access_token=…, "refresh_token": "…") is no longer masked in the log',
    find: '.replace(\n      KEY_VALUE,',
    replace: '.replace(\n      /(?!)/g,',
    tests: [unit('vscode/redact')],
  },
  {
    name: 'redaction-jwt',
    file: 'src/vscode/redact.ts',
    what: 'a JWT standing alone in a log line is no longer masked (held since #25)',
    find: ".replace(JWT, '[redacted JWT]')",
    replace: '.replace(JWT, (jwt) => jwt)',
    tests: [unit('vscode/redact')],
  },
  {
    name: 'https-rule',
    file: 'src/protocol/urls.ts',
    what: 'plain http is accepted for any host, not only loopback',
    find: 'return isLoopbackHost(u.hostname) ? undefined : `must use https://',
    replace: 'return true ? undefined : `must use https://',
    tests: [unit('protocol/httpsRule'), security('httpsRule')],
  },
  {
    name: 'port-pool',
    file: 'src/node/loopbackServer.ts',
    what: 'a busy registered loopback port does not fall through to the next one',
    find: "if ((e as { code?: string }).code !== 'EADDRINUSE' && (e as { code?: string }).code !== 'EACCES') throw e;",
    replace: 'throw e;',
    tests: [unit('sessions/strictServer')],
  },
  {
    name: 'early-timer',
    file: 'src/sessions/sessionKeeper.ts',
    what: 'a session timer that fires before its time on the clock does nothing (the refresh or expiry is skipped for good)',
    find: 'if (due === undefined || this.clock() < due) return this.schedule(s);',
    replace: 'if (due === undefined || this.clock() < due) return;',
    tests: [unit('sessions/sessionKeeper')],
    grep: 'fires before|fires early',
  },
  // Trust paths of issue #21 and the organisation's rules of issue #23.
  {
    name: 'workbench-guard',
    file: 'src/protocol/plainText.ts',
    what: 'text reaching an input box, quick pick or notification keeps a live [label](command:…) link',
    find: ".replace(/\\]\\s*\\(/g, '] (')",
    replace: '',
    tests: [security('workbenchText'), security('serverText')],
  },
  {
    name: 'url-characters',
    file: 'src/protocol/urls.ts',
    what: 'a server URL with link syntax ([ ] ( ) …) is accepted',
    find: 'const text = urlTextProblem(value);\n  if (text) return text;',
    replace: '',
    tests: [security('workbenchText')],
  },
  {
    name: 'registration-by-issuer',
    file: 'src/sessions/serverBinding.ts',
    what: 'dynamic registrations are shared by every entry naming the issuer, whatever its discoveryUrl or endpoints',
    find: 'return JSON.stringify([s.issuer ?? null, s.discoveryUrl ?? null, sortedEndpoints(s.endpoints)]);',
    replace: 'return JSON.stringify([s.issuer ?? null]);',
    tests: [security('dynamicRegistration')],
  },
  {
    name: 'rules-loosened',
    file: 'src/settings/orgRules.ts',
    what: 'a second source of allowed issuers widens the first instead of narrowing it',
    find: 'for (const { source, patterns } of rules.allowedIssuers) {',
    replace: 'for (const { source, patterns } of rules.allowedIssuers.slice(-1)) {',
    tests: [unit('settings/orgRules'), unit('settings/managedProviders')],
  },
];
