/** RFC 8252 loopback flow: redirect to http://127.0.0.1:<ephemeral>/callback on the user's machine. */
import { startLoopbackServer, type CallbackPages } from '../node/loopbackServer';
import { flowInfo, beginFlowAuthorization, openConsentPage, type Flow, type FlowContext } from './flow';

export function loopbackFlow(pages: () => CallbackPages): Flow {
  return {
    ...flowInfo('loopback'),
    async run(ctx: FlowContext) {
      // The port must exist before the authorization URL names it as redirect_uri.
      const server = await startLoopbackServer(pages());
      try {
        const pending = await beginFlowAuthorization(ctx, server.redirectUri);
        const callback = server.waitForCallback(pending.state, ctx.signal);
        await openConsentPage(ctx.ui, pending);
        return await ctx.client.completeAuthorization(pending, await callback, ctx.signal);
      } finally {
        server.close();
      }
    },
  };
}
