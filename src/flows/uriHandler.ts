/**
 * URI-handler flow: redirect to `<uriScheme>://openauth.oauth-accounts/callback` as env.asExternalUri makes it
 * reachable (a vscode:// link on desktop, an https URL of the remote or web workbench). Works wherever the window
 * can receive a URI, including remote and web windows.
 */
import { beginFlowAuthorization, defineFlow, openConsentPage, type FlowContext } from './flow';

export const uriHandler = defineFlow({
  id: 'uri-handler',
  label: 'VS Code URI handler',
  capabilities: {
    local: true,
    remote: true,
    webworker: true,
    needsDeviceEndpoint: false,
    needsAuthorizationEndpoint: true,
  },
  forcible: true,
  async run(ctx: FlowContext) {
    const redirectUri = await ctx.ui.externalCallbackUri();
    const pending = await beginFlowAuthorization(ctx, redirectUri);
    // Listen before opening the browser: a fast IdP with an existing session answers at once.
    const callback = ctx.ui.waitForUriCallback(pending.state, ctx.signal);
    await openConsentPage(ctx.ui, pending);
    return ctx.client.completeAuthorization(pending, await callback, ctx.signal);
  },
});
