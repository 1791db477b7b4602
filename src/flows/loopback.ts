/**
 * RFC 8252 loopback flow: redirect to http://127.0.0.1:<port>/callback on the user's machine — an ephemeral port, or
 * the first free one of the provider's `loopbackPorts` for servers that match redirect URIs exactly.
 */
import { LoopbackPortsBusyError, startLoopbackServer, type CallbackOutcome } from '../node/loopbackServer';
import { AuthError, isAuthError } from '../protocol/errors';
import { beginFlowAuthorization, defineFlow, openConsentPage, type FlowContext } from './flow';

export const loopback = defineFlow({
  id: 'loopback',
  label: 'local browser redirect',
  // The listener must run where the browser is: on a remote host 127.0.0.1 is the wrong machine; a web worker
  // cannot open a port at all (the web build does not ship this flow).
  capabilities: {
    local: true,
    remote: false,
    webworker: false,
    needsDeviceEndpoint: false,
    needsAuthorizationEndpoint: true,
  },
  forcible: true,
  async run(ctx: FlowContext) {
    // The port must exist before the authorization URL names it as redirect_uri.
    const ports = ctx.client.config.loopbackPorts;
    const pages = ctx.ui.callbackPages?.();
    if (!pages) throw new AuthError('flow_unavailable', 'The loopback sign-in flow is not available in this window.');
    const server = await startLoopbackServer(pages, { providerLabel: ctx.client.config.label, ports }).catch((e) => {
      if (!(e instanceof LoopbackPortsBusyError)) throw e;
      // Another flow (device code, the URI handler) may still work: "try a different way?" is offered.
      throw new AuthError(
        'flow_unavailable',
        `Cannot receive the sign-in on this machine: ${e.message}. Close the program using one of them, or register another port at the identity provider and add it to "loopbackPorts".`,
      );
    });
    try {
      const pending = await beginFlowAuthorization(ctx, server.redirectUri);
      const callback = server.waitForCallback(pending.state, ctx.signal);
      // If opening the browser fails, the wait must not become an unhandled rejection when the listener closes.
      callback.catch(() => {});
      await openConsentPage(ctx.ui, pending);
      const params = await callback;
      // The browser's page is answered only now, with what really happened: "signed in" only after the code
      // exchange and every check on its answer have passed.
      try {
        const result = await ctx.client.completeAuthorization(pending, params, ctx.signal);
        await ctx.accept?.(result);
        server.finish({ kind: 'success' });
        return result;
      } catch (e) {
        server.finish(outcomeOf(e));
        throw e;
      }
    } finally {
      // Answers a callback nobody answered yet ("cancelled or timed out") and frees the port.
      server.close();
    }
  },
});

/** What the browser page says about an error that ended the sign-in after the callback. */
export function outcomeOf(e: unknown): CallbackOutcome {
  if (isAuthError(e, 'authorization_denied')) {
    // validateAuthResponse accepted the callback as this sign-in's (state, iss) before this error was raised, so
    // the words are the server's; the page shows them as escaped, capped text.
    return { kind: 'denied', error: e.details.oauthError ?? 'error', description: e.details.oauthErrorDescription };
  }
  // Not an AuthError: a bug of ours. The page says only that the sign-in could not be completed.
  return { kind: 'failed', code: isAuthError(e) ? e.code : undefined };
}
