/**
 * URI-handler flow: redirect to `<uriScheme>://openauth.oauth-accounts/callback` as env.asExternalUri makes it
 * reachable (a vscode:// link on desktop, an https URL of the remote or web workbench). Works wherever the window
 * can receive a URI, including remote and web windows.
 */
import { FLOW_TABLE, openConsentPage, type Flow, type FlowContext } from './flow';

export function uriHandlerFlow(): Flow {
  return {
    ...FLOW_TABLE.find((f) => f.id === 'uri-handler')!,
    async run(ctx: FlowContext) {
      const redirectUri = await ctx.ui.externalCallbackUri();
      const pending = await ctx.client.beginAuthorization({ requestedScopes: ctx.requestedScopes, redirectUri, loginHint: ctx.loginHint, selectAccount: ctx.selectAccount, signal: ctx.signal });
      // Listen before opening the browser: a fast IdP with an existing session answers at once.
      const callback = ctx.ui.waitForUriCallback(pending.state, ctx.signal);
      await openConsentPage(ctx.ui, pending);
      return ctx.client.completeAuthorization(pending, await callback, ctx.signal);
    },
  };
}
