// The demo identity provider behind `npm run demo`: a real oidc-provider 9.x with the pages a person uses (login
// form, consent page), refresh tokens, revocation, device flow, and a protected API that checks bearer tokens.
// Everything is in memory and ends with the process. It is a demo, not a production IdP: passwords are fixed, keys
// are made per run, and it is meant for loopback or a trusted network only.
//
//   node demo/demoIdp.mjs [--host 127.0.0.2] [--port 0]    (standalone; scripts/demo.mjs imports startDemoIdp)
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { pathToFileURL } from 'node:url';

// oidc-provider warns that its in-memory store is for development (true, and what a demo wants) and, on Node 20,
// that it prefers Node 22 (it works; the project's tests run it there). Those would be the first lines a newcomer
// reads, so exactly those two are dropped; any other warning still shows.
async function quietly(fn) {
  const warn = console.warn;
  console.warn = (...a) => {
    if (!/in-memory adapter|Unsupported runtime/.test(String(a[0]))) warn(...a);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}
const { default: Provider, interactionPolicy } = await quietly(() => import('oidc-provider'));

export const CLIENT_ID = 'oauth-accounts-demo';
export const EXTENSION_AUTHORITY = 'openauth.oauth-accounts';
export const USERS = {
  alice: { password: 'alice-password', name: 'Alice Liddell', email: 'alice@example.test' },
  bob: { password: 'bob-password', name: 'Bob Builder', email: 'bob@example.test' },
};
const SCOPE_TEXT = {
  openid: 'Know who you are (your user id)',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in (a refresh token, until you sign out)',
};

const rank = (scope) => {
  const i = Object.keys(SCOPE_TEXT).indexOf(scope);
  return i === -1 ? 99 : i;
};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const digest = (s) => createHash('sha256').update(String(s)).digest();
// Constant-time even for the demo: this file is read as an example of how to check a password.
const passwordOk = (user, password) => !!USERS[user] && timingSafeEqual(digest(USERS[user].password), digest(password));

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;background:#eef1f5;color:#1f2328;margin:0}
main{max-width:380px;margin:8vh auto;background:#fff;border-radius:8px;padding:28px 32px;box-shadow:0 2px 10px #0002}
h1{font-size:20px;margin:0 0 4px}.sub{color:#57606a;margin:0 0 18px}label{display:block;font-weight:600;margin:12px 0 4px}
input{width:100%;box-sizing:border-box;padding:8px 10px;font-size:15px;border:1px solid #d0d7de;border-radius:6px}
button{margin-top:18px;padding:9px 16px;font-size:15px;border-radius:6px;border:1px solid #d0d7de;background:#f6f8fa;cursor:pointer}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff}.row{display:flex;gap:10px}.row button{flex:1}
.err{color:#cf222e;font-weight:600}.hint{color:#57606a;font-size:13px;margin-top:18px}ul{padding-left:20px}code{font-size:17px}`;

/** Every page is plain server-rendered HTML with no external resources; the CSP makes sure of it. */
function page(ctx, title, body, status = 200) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  );
  ctx.set('cache-control', 'no-store');
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(title)} · Demo IdP</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function loginPage(ctx, uid, { error, username = '' } = {}) {
  page(
    ctx,
    'Sign in',
    `<h1>Sign in to Demo IdP</h1><p class="sub">to continue to OAuth Accounts (VS Code)</p>
${error ? `<p class="err">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" value="${esc(username)}"${username ? '' : ' autofocus'} required>
<label for="password">Password</label><input id="password" name="password" type="password"${username ? ' autofocus' : ''} required>
<button class="primary" type="submit">Sign in</button></form>
<p class="hint">Demo users: ${Object.entries(USERS)
      .map(([u, v]) => `<b>${esc(u)}</b> / ${esc(v.password)}`)
      .join(', ')}</p>`,
    error ? 401 : 200,
  );
}

function consentPage(ctx, uid, accountId, scopes) {
  page(
    ctx,
    'Allow access',
    `<h1>Allow access?</h1>
<p class="sub"><b>OAuth Accounts (VS Code)</b> wants to access your Demo IdP account <b>${esc(accountId)}</b>.</p>
<ul>${scopes
      .sort((a, b) => rank(a) - rank(b))
      .map((s) => `<li>${esc(SCOPE_TEXT[s] ?? s)}</li>`)
      .join('')}</ul>
<div class="row"><form method="post" action="/interaction/${esc(uid)}/abort"><button type="submit">Deny</button></form>
<form method="post" action="/interaction/${esc(uid)}/confirm"><button class="primary" type="submit">Allow</button></form></div>`,
  );
}

async function formBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/**
 * @param {{ host?: string, port?: number, publicHost?: string, tls?: { cert: string, key: string },
 *   log?: (line: string) => void }} [o] tls: PEM file paths, for a non-loopback host (plain http is loopback-only)
 */
export async function startDemoIdp(o = {}) {
  const { host = '127.0.0.2', port = 0, log = (l) => console.log(`[idp] ${l}`) } = o;
  const server = o.tls
    ? createHttpsServer({ cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) })
    : createHttpServer();
  server.listen(port, host);
  await once(server, 'listening');
  const issuer = `${o.tls ? 'https' : 'http'}://${o.publicHost ?? host}:${server.address().port}`;

  // The code-server workbench's URI-handler callback (http(s)://CS/stable-<commit>/callback?vscode-reqid=N&…)
  // changes per request, so no exact registration matches it: accept that shape from the workbenches the demo
  // started (allowCallbackOrigin), for OAuth Accounts' authority only.
  const callbackOrigins = new Set();
  const isWorkbenchCallback = (value) => {
    let u;
    try {
      u = new URL(value);
    } catch {
      return false;
    }
    return (
      callbackOrigins.has(u.origin) &&
      !u.hash &&
      /^\/(?:[^/]+\/)*callback$/.test(u.pathname) &&
      u.searchParams.get('vscode-authority') === EXTENSION_AUTHORITY
    );
  };

  // Ask for the password on every authorization (unless prompt=none), so you can switch between alice and bob.
  const { Check } = interactionPolicy;
  const policy = interactionPolicy.base();
  policy
    .get('login')
    .checks.add(
      new Check('demo_always_login', 'the demo asks for a password on every sign-in', (ctx) =>
        ctx.oidc.result?.login || ctx.oidc.prompts.has('none') ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
      ),
    );

  // Per run; a P-256 key takes a millisecond. Encoded as JWK by the generation itself: on Node 20, exporting a
  // generated KeyObject with .export({ format: 'jwk' }) can deadlock when GC frees the finished key-generation job
  // meanwhile (it takes the same mutex: seen here as a demo hanging at start, immune to Ctrl+C).
  const { privateKey: signingJwk } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { format: 'jwk' },
    publicKeyEncoding: { format: 'jwk' },
  });
  const provider = await quietly(
    () =>
      new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT_ID,
            client_name: 'OAuth Accounts (VS Code)',
            application_type: 'native', // RFC 8252: http://127.0.0.1/callback matches any port
            token_endpoint_auth_method: 'none',
            redirect_uris: [
              'http://127.0.0.1/callback',
              ...['vscode', 'vscode-insiders', 'code-oss'].map((s) => `${s}://${EXTENSION_AUTHORITY}/callback`),
            ],
            grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
            response_types: ['code'],
            id_token_signed_response_alg: 'ES256',
          },
        ],
        jwks: { keys: [{ ...signingJwk, kid: 'demo-es256', alg: 'ES256', use: 'sig' }] },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        async findAccount(ctx, sub) {
          if (!USERS[sub]) return undefined;
          return {
            accountId: sub,
            claims: async () => ({
              sub,
              preferred_username: sub,
              name: USERS[sub].name,
              email: USERS[sub].email,
              email_verified: true,
            }),
          };
        },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
        scopes: ['openid', 'offline_access', 'email', 'profile'],
        interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}`, policy },
        pkce: { required: () => true },
        issueRefreshToken: async (ctx, client, code) =>
          client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
        rotateRefreshToken: true,
        ttl: {
          AccessToken: 600,
          AuthorizationCode: 60,
          IdToken: 3600,
          RefreshToken: 14 * 24 * 3600,
          Interaction: 600,
          Session: 3600,
          Grant: 14 * 24 * 3600,
          DeviceCode: 600,
        },
        features: {
          devInteractions: { enabled: false },
          // A client may revoke only its own tokens (oidc-provider's default rule, stated so it does not warn).
          revocation: {
            enabled: true,
            allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
          },
          userinfo: { enabled: true },
          deviceFlow: {
            enabled: true,
            userCodeInputSource: async (ctx, form, out, err) =>
              page(
                ctx,
                'Enter code',
                `<h1>Connect a device</h1>
${err ? '<p class="err">That code did not work. Check it and try again.</p>' : '<p class="sub">Enter the code shown in VS Code.</p>'}
${form /* oidc-provider's form, with its own user_code field */}<button class="primary" type="submit" form="op.deviceInputForm">Continue</button>`,
              ),
            userCodeConfirmSource: async (ctx, form, client, deviceInfo, userCode) =>
              page(
                ctx,
                'Confirm code',
                `<h1>Is this the code VS Code shows?</h1>
<p><code>${esc(userCode)}</code></p>${form}<div class="row"><button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">No, abort</button>
<button class="primary" type="submit" form="op.deviceConfirmForm">Yes, continue</button></div>`,
              ),
            successSource: async (ctx) =>
              page(
                ctx,
                'Done',
                '<h1>Signed in</h1><p>Your device is connected. You can close this page and return to VS Code.</p>',
              ),
          },
          rpInitiatedLogout: {
            enabled: true,
            logoutSource: async (ctx, form) =>
              page(
                ctx,
                'Sign out',
                `<h1>Sign out of Demo IdP?</h1>${form}
<div class="row"><button type="submit" form="op.logoutForm">Stay signed in</button><button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></div>`,
              ),
            postLogoutSuccessSource: async (ctx) =>
              page(ctx, 'Signed out', '<h1>Signed out</h1><p>You can close this page.</p>'),
          },
        },
        renderError: async (ctx, out) =>
          page(
            ctx,
            'Error',
            `<h1>Something went wrong</h1><p class="err">${esc(out.error)}</p><p>${esc(out.error_description ?? '')}</p>`,
            ctx.status || 400,
          ),
      }),
  );
  const original = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
    return original.call(this, value) || isWorkbenchCallback(value);
  };

  // What a person does shows up in the demo's terminal (never a token).
  provider.on('grant.revoked', (ctx) => {
    const e = ctx.oidc.entities ?? {};
    const who = (e.RefreshToken ?? e.AccessToken)?.accountId;
    log(`${who ? `${who}'s` : 'a'} sign-in was revoked: its access and refresh tokens no longer work`);
  });

  // Login and consent pages.
  provider.use(async (ctx, next) => {
    const m = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path);
    if (!m) return next();
    const [, uid, action] = m;
    if ((ctx.method === 'GET') !== !action) {
      ctx.status = 405;
      return undefined;
    }
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      // Expired, already used, or opened in another browser (the interaction cookie is missing).
      return page(
        ctx,
        'Expired',
        '<h1>This sign-in page has expired</h1><p>Start the sign-in again from VS Code.</p>',
        400,
      );
    }
    const { prompt, params, session } = details;
    if (!action) {
      if (prompt.name === 'login') return loginPage(ctx, uid);
      return consentPage(
        ctx,
        uid,
        session.accountId,
        String(params.scope ?? '')
          .split(' ')
          .filter(Boolean),
      );
    }
    let result;
    if (action === 'login') {
      const form = await formBody(ctx.req);
      const username = (form.get('username') ?? '').trim().toLowerCase();
      if (!passwordOk(username, form.get('password') ?? '')) {
        log(`wrong password for "${username}"`);
        return loginPage(ctx, uid, { error: 'Wrong username or password.', username });
      }
      log(`${username} signed in at the login page`);
      result = { login: { accountId: username } };
    } else if (action === 'abort') {
      log(`${session?.accountId ?? 'someone'} denied access`);
      result = { error: 'access_denied', error_description: 'The user denied access.' };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const d = prompt.details;
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [indicator, s] of Object.entries(d.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, s.join(' '));
      log(`${session.accountId} allowed access (${params.scope})`);
      result = { consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: action !== 'login',
    });
    ctx.status = 303;
    ctx.redirect(to);
    return undefined;
  });

  // The protected API: the resource server checks the bearer token with the authorization server's own store
  // (a real one would call the introspection endpoint or verify a JWT). Revoked or expired tokens are not found.
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/api/protected_data') return next();
    ctx.set('access-control-allow-origin', '*'); // callable from a web extension host too
    ctx.set('cache-control', 'no-store');
    if (ctx.method === 'OPTIONS') {
      ctx.set('access-control-allow-headers', 'authorization');
      ctx.status = 204;
      return undefined;
    }
    if (ctx.method !== 'GET') {
      ctx.status = 405;
      return undefined;
    }
    const refuse = (error, description) => {
      ctx.status = 401;
      ctx.set(
        'www-authenticate',
        error ? `Bearer realm="demo", error="${error}", error_description="${description}"` : 'Bearer realm="demo"',
      );
      ctx.body = { error: error ?? 'unauthorized', error_description: description };
      log(`API refused a call: ${description}`);
    };
    const m = /^Bearer ([\w.~+/-]+=*)$/i.exec(ctx.get('authorization'));
    if (!m) return refuse(undefined, 'This API needs a bearer access token.');
    const token = await provider.AccessToken.find(m[1]);
    if (!token || !USERS[token.accountId])
      return refuse('invalid_token', 'The access token is unknown, expired or revoked.');
    const user = USERS[token.accountId];
    ctx.body = {
      sub: token.accountId,
      name: user.name,
      email: user.email,
      scope: token.scope,
      client_id: token.clientId,
      issued_at: new Date(token.iat * 1000).toISOString(),
      expires_at: new Date(token.exp * 1000).toISOString(),
      message: `Hello ${user.name}! The Demo IdP API accepted your access token.`,
    };
    log(`API answered for ${token.accountId}`);
    return undefined;
  });

  server.on('request', provider.callback());
  return {
    issuer,
    allowCallbackOrigin: (origin) => callbackOrigins.add(new URL(origin).origin),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const idp = await startDemoIdp({ host: arg('--host'), port: Number(arg('--port') ?? 0) });
  console.log(
    `Demo IdP: ${idp.issuer}  users: ${Object.entries(USERS)
      .map(([u, v]) => `${u}/${v.password}`)
      .join(', ')}`,
  );
}
