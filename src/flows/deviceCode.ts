/**
 * RFC 8628 device authorization grant: the server gives a user code, the user enters it on the verification page
 * in any browser (on any device), and we poll the token endpoint. Nothing has to come back to VS Code, so this
 * works in remote, web and headless setups where neither the loopback listener nor the URI handler can.
 */
import { AuthError, isAuthError } from '../protocol/errors';
import { plainText } from '../protocol/plainText';
import { defineFlow, type FlowContext } from './flow';

export const deviceCode = defineFlow({
  id: 'device-code',
  label: 'device code',
  // Needs nothing to come back to VS Code: the last resort wherever the redirect flows cannot work, and the
  // preferred flow with oauthAccounts.preferDeviceCode (WSL, locked-down hosts, a browser on another device).
  capabilities: {
    local: true,
    remote: true,
    webworker: true,
    needsDeviceEndpoint: true,
    needsAuthorizationEndpoint: false,
    serverDeadline: true,
  },
  forcible: true,
  async run(ctx: FlowContext) {
    const handle = await ctx.client.startDeviceAuthorization(ctx.requestedScopes, ctx.signal);
    const info = {
      userCode: handle.userCode,
      verificationUri: handle.verificationUri,
      verificationUriComplete: handle.verificationUriComplete,
    };
    if (!(await ctx.ui.showDeviceCode(info, ctx.signal))) {
      if (ctx.signal.aborted)
        throw isAuthError(ctx.signal.reason) ? ctx.signal.reason : new AuthError('cancelled', 'Sign-in cancelled.');
      throw new AuthError('cancelled', 'The device code was dismissed.');
    }
    // The modal is gone: keep the code in sight while polling, for typing it on another device.
    // Server text in a notification: plain text only (src/protocol/plainText.ts).
    ctx.progress?.(`Enter code ${plainText(handle.userCode, 64)} at ${plainText(handle.verificationUri, 200)}`);
    return ctx.client.pollDeviceAuthorization(handle, ctx.signal);
  },
});
