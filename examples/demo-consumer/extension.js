// Demo Consumer: what any extension does to use an account from OAuth Accounts. It never sees a client id, a refresh
// token or the sign-in flow: it asks VS Code for a session of the provider id "demo" (an entry of the user setting
// oauthAccounts.providers) and sends session.accessToken as a bearer token. Plain JavaScript so it needs no build.
'use strict';
const vscode = require('vscode');

const SCOPES = ['openid', 'profile', 'email'];
const RESULT_URI = vscode.Uri.parse('demo-consumer:/protected_data.json');
let lastResult = '{}';
const changed = new vscode.EventEmitter();

function activate(context) {
  context.subscriptions.push(
    changed,
    // A content provider makes the result a read-only document: nothing to save or discard afterwards.
    vscode.workspace.registerTextDocumentContentProvider('demo-consumer', {
      onDidChange: changed.event,
      provideTextDocumentContent: () => lastResult,
    }),
    vscode.commands.registerCommand('demoConsumer.callProtectedApi', callProtectedApi),
  );
}

async function callProtectedApi() {
  const config = vscode.workspace.getConfiguration('demoConsumer');
  const base = String(config.get('apiBase') || '').replace(/\/+$/, '');
  const providerId = config.get('providerId') || 'demo';
  if (!base) {
    void vscode.window.showErrorMessage(
      'Demo: set "demoConsumer.apiBase" to the demo API\'s base URL (npm run demo does this).',
    );
    return;
  }
  const url = `${base}/api/protected_data`;
  let session;
  try {
    // The one line that matters: VS Code asks the user to allow this extension, then OAuth Accounts signs in
    // (or reuses and silently refreshes the stored session).
    session = await vscode.authentication.getSession(providerId, SCOPES, { createIfNone: true });
  } catch (e) {
    // Declined or failed sign-in. Call anyway, without a token, to show that the API is really protected.
    const why = e && e.message ? e.message : String(e);
    await call(url, providerId, undefined, `Not signed in (${why}), so the API was called without a token`);
    return;
  }
  await call(url, providerId, session, undefined);
}

async function call(url, providerId, session, context) {
  let res;
  let body;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(session ? { authorization: `Bearer ${session.accessToken}` } : {}) },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } catch (e) {
    const cause = e && e.cause && e.cause.message ? e.cause.message : (e && e.message) || String(e);
    void vscode.window.showErrorMessage(`Demo: could not reach the API at ${url}: ${cause}`);
    return;
  }
  // Show what was sent and received, never the token itself.
  await showResult({
    request: `GET ${url}`,
    account: session ? session.account.label : null,
    sent_bearer_token: !!session,
    status: res.status,
    ...(res.headers.get('www-authenticate') ? { www_authenticate: res.headers.get('www-authenticate') } : {}),
    response: body,
  });
  if (res.ok) {
    const who = body && typeof body === 'object' && body.name ? body.name : session.account.label;
    void vscode.window.showInformationMessage(`Demo: the API answered for ${who}.`);
  } else if (res.status === 401 && session) {
    // Revoked or expired at the server although VS Code still had the session: offer a fresh sign-in.
    const again = 'Sign In Again';
    const detail = body && body.error_description ? `: ${body.error_description}` : '';
    const answer = await vscode.window.showErrorMessage(`Demo: the API refused the token (401${detail})`, again);
    if (answer === again) {
      await vscode.authentication
        .getSession(providerId, SCOPES, { forceNewSession: { detail: 'The demo API refused the token.' } })
        .then(
          () => callProtectedApi(),
          () => undefined,
        );
    }
  } else if (res.status === 401) {
    void vscode.window.showErrorMessage(`Demo: the API refused the call (401). ${context}.`);
  } else {
    void vscode.window.showErrorMessage(`Demo: the API answered HTTP ${res.status}.`);
  }
}

async function showResult(result) {
  lastResult = JSON.stringify(result, null, 2) + '\n';
  changed.fire(RESULT_URI);
  const doc = await vscode.workspace.openTextDocument(RESULT_URI);
  await vscode.window.showTextDocument(doc, { preview: false });
}

function deactivate() {}

module.exports = { activate, deactivate };
