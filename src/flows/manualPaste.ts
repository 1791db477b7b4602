/**
 * Manual fallback: the same redirect as the URI-handler flow, and while VS Code waits for it, an input box where the
 * user can paste the address the browser ended on (or just the code). Whichever comes first wins; a pasted answer is
 * accepted only for the pending `state`, so it cannot smuggle in another sign-in.
 */
import { AuthError } from '../protocol/errors';
import { beginFlowAuthorization, defineFlow, openConsentPage, type FlowContext } from './flow';

/**
 * The callback parameters in what the user pasted: a full URL, a query string, or a bare code (only where the server
 * does not require RFC 9207 `iss`, which a bare code cannot carry). A message when it cannot be used.
 */
export function parsePastedCallback(
  text: string,
  pendingState: string,
  issRequired: boolean,
): URLSearchParams | string {
  const t = text.trim();
  if (!t) return 'Paste the address your browser shows after signing in.';
  let params: URLSearchParams;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    try {
      const url = new URL(t);
      params = new URLSearchParams(url.search);
      // Some servers answer in the fragment (response_mode=fragment); harmless to look there too.
      if (!params.has('code') && !params.has('error') && url.hash) params = new URLSearchParams(url.hash.slice(1));
    } catch {
      return 'That is not a valid address.';
    }
  } else if (t.includes('=')) {
    params = new URLSearchParams(t.replace(/^[?#]/, ''));
  } else {
    if (issRequired)
      return "This server requires the whole address (it carries the issuer): paste it from the browser's address bar.";
    if (!/^[\x21-\x7e]{4,2048}$/.test(t)) return 'That does not look like an authorization code.';
    return new URLSearchParams({ code: t, state: pendingState });
  }
  if (!params.has('state'))
    return 'The address has no "state": paste the whole address from the browser\'s address bar.';
  if (params.get('state') !== pendingState)
    return 'This address belongs to another sign-in (its "state" does not match). Start from the page this sign-in opened.';
  if (!params.has('code') && !params.has('error')) return 'The address has no "code".';
  return params;
}

export const manualPaste = defineFlow({
  id: 'manual',
  label: 'paste the redirected URL',
  // Where no redirect comes back (a browser on another machine, a vscode:// link nothing handles) and the server
  // has no device endpoint: the user copies the final address from the browser into VS Code.
  capabilities: {
    local: true,
    remote: true,
    webworker: true,
    needsDeviceEndpoint: false,
    needsAuthorizationEndpoint: true,
    onlyWithoutDeviceEndpoint: true,
  },
  // A fallback after a redirect that did not come back, not a way to start: the `flow` setting does not offer it.
  forcible: false,
  async run(ctx: FlowContext) {
    const redirectUri = await ctx.ui.externalCallbackUri();
    const pending = await beginFlowAuthorization(ctx, redirectUri);
    const issRequired =
      (await ctx.client.serverMetadata(ctx.signal)).authorization_response_iss_parameter_supported === true;
    const local = new AbortController();
    const signal = AbortSignal.any([ctx.signal, local.signal]);
    try {
      const viaHandler = ctx.ui.waitForUriCallback(pending.state, signal);
      await openConsentPage(ctx.ui, pending);
      ctx.progress?.('Waiting for the browser, or paste the address it ended on');
      const viaPaste = ctx.ui
        .askForRedirectedUrl((text) => {
          const r = parsePastedCallback(text, pending.state, issRequired);
          return typeof r === 'string' ? r : undefined;
        }, signal)
        .then((text) => {
          if (text === undefined)
            throw signal.aborted ? signal.reason : new AuthError('cancelled', 'Sign-in cancelled.');
          return parsePastedCallback(text, pending.state, issRequired) as URLSearchParams;
        });
      viaHandler.catch(() => undefined);
      viaPaste.catch(() => undefined);
      const callback = await Promise.race([viaHandler, viaPaste]);
      return await ctx.client.completeAuthorization(pending, callback, ctx.signal);
    } finally {
      local.abort(new AuthError('cancelled', 'Sign-in finished.'));
    }
  },
});
