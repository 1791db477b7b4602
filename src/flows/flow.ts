/**
 * What a flow is — one value `{ id, label, capabilities, forcible, run }` per module (flows/loopback.ts, …) — and one
 * pure function that picks the usable ones of a build's list in order of preference (like github-authentication's
 * flows.ts). The lists each build ships are flows/node.ts and flows/web.ts; flows/shipped.ts holds the flow ids and
 * the `flow` setting's values (protocol/config.ts) to them. Only signIn.ts knows that more than one flow exists; flows themselves only see the
 * FlowUi and an AbortSignal.
 */
import type { CallbackPages } from '../node/callbackPages';
import type { PendingAuthorization, ProviderClient, SignInResult } from '../protocol/client';
import { AuthError } from '../protocol/errors';
import type { FlowSetting } from '../protocol/config';

export type { FlowSetting };
/** Every flow some build ships (flows/node.ts, flows/web.ts; flows/shipped.ts checks the lists against it). */
export type FlowId = 'loopback' | 'uri-handler' | 'device-code' | 'manual';

/** Where our extension host runs, as seen from the user's browser. */
export type ExtensionHostKind = 'local' | 'remote' | 'webworker';

interface FlowCapabilities {
  /** Works when the extension host runs on the user's machine (desktop, local window). */
  readonly local: boolean;
  /** Works when the extension host runs on another machine (SSH, container, WSL, code-server). */
  readonly remote: boolean;
  /** Works in a browser web worker (vscode.dev, web-worker extension host). */
  readonly webworker: boolean;
  /** Needs the server's device_authorization_endpoint. */
  readonly needsDeviceEndpoint: boolean;
  /** Needs the server's authorization_endpoint (the redirect flows). */
  readonly needsAuthorizationEndpoint: boolean;
  /** Offered only when the server has no device endpoint (device code is the better fallback where it exists). */
  readonly onlyWithoutDeviceEndpoint?: boolean;
  /**
   * Ends by itself at a deadline the server sets (the device code's expires_in, often 15 minutes): the sign-in
   * timeout, meant for a browser answer that never comes back, does not cut it short.
   */
  readonly serverDeadline?: boolean;
}

/** What the device flow shows the user (RFC 8628 §3.3). */
export interface DeviceCodeInfo {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
}

export interface FlowInfo<Id extends string = string> {
  readonly id: Id;
  /** Shown in "Try a different way (<label>)?". */
  readonly label: string;
  readonly capabilities: FlowCapabilities;
  /** May be chosen with the provider's `flow` setting; false for a fallback that only makes sense after another. */
  readonly forcible: boolean;
}

/** Everything a flow may show, open or ask: the only UI seam, so flows are testable without VS Code. */
export interface FlowUi {
  /** Opens the URL in the system browser; false when the user declined. */
  openExternal(url: string): Promise<boolean>;
  /** The URI-handler callback as the browser can reach it (env.asExternalUri). */
  externalCallbackUri(): Promise<string>;
  /** Resolves with the query of the URI-handler callback that carries `state`. */
  waitForUriCallback(state: string, signal: AbortSignal): Promise<URLSearchParams>;
  /**
   * Shows the device flow's user code with "Copy & Open" (copies the code, opens the verification page). Resolves
   * true once the user chose it, false when they dismissed it or `signal` aborted.
   */
  showDeviceCode(info: DeviceCodeInfo, signal: AbortSignal): Promise<boolean>;
  /**
   * Asks the user to paste the address their browser ended on (or the code); `validate` returns a message for text
   * that cannot be used. Resolves with the accepted text, or undefined when dismissed or `signal` aborted.
   */
  askForRedirectedUrl(validate: (text: string) => string | undefined, signal: AbortSignal): Promise<string | undefined>;
  /** The loopback listener's pages for the browser (media/callback-*.html); only the Node build has them. */
  callbackPages?(): CallbackPages;
}

export interface FlowContext {
  readonly client: ProviderClient;
  readonly requestedScopes: readonly string[];
  readonly loginHint?: string;
  /** Another account of this provider is signed in: ask the server to show its account picker. */
  readonly selectAccount?: boolean;
  readonly ui: FlowUi;
  readonly signal: AbortSignal;
  /** A line in the sign-in progress notification (the device flow shows the code there while it polls). */
  readonly progress?: (message: string) => void;
  /**
   * Last checks on who signed in (the organisation's allowed accounts), run before the flow tells the browser
   * "signed in"; throws to refuse. A flow without a page of its own may leave it to the caller.
   */
  readonly accept?: (result: SignInResult) => Promise<void>;
}

export interface Flow<Id extends string = string> extends FlowInfo<Id> {
  run(ctx: FlowContext): Promise<SignInResult>;
}

/** Declares a flow, keeping its literal `id` and `forcible` so FlowId and FlowSetting can be derived from it. */
export function defineFlow<const Id extends FlowId, const Forcible extends boolean>(
  flow: Flow<Id> & { readonly forcible: Forcible },
): Flow<Id> & { readonly forcible: Forcible } {
  return flow;
}

export interface FlowQuery {
  readonly host: ExtensionHostKind;
  readonly setting: FlowSetting;
  readonly serverHasDeviceEndpoint: boolean;
  /** false for a device-only server (no authorization_endpoint); undefined counts as true. */
  readonly serverHasAuthorizationEndpoint?: boolean;
  /** oauthAccounts.preferDeviceCode: with `auto`, device code goes first whenever it is possible. */
  readonly preferDeviceCode?: boolean;
  /** The flows this build ships, in order of preference (flows/node.ts, flows/web.ts). */
  readonly flows: readonly FlowInfo[];
}

/**
 * Usable flows in order. A forced `flow` setting returns just that flow when it can work here, else nothing (the
 * caller explains why with `whyUnavailable`).
 */
export function selectFlows(q: FlowQuery): FlowId[] {
  const hasAuthorizationEndpoint = q.serverHasAuthorizationEndpoint ?? true;
  const possible = q.flows.filter(
    (f) =>
      (!f.capabilities.needsDeviceEndpoint || q.serverHasDeviceEndpoint) &&
      (!f.capabilities.needsAuthorizationEndpoint || hasAuthorizationEndpoint) &&
      (!f.capabilities.onlyWithoutDeviceEndpoint || !q.serverHasDeviceEndpoint),
  );
  // A forced flow is the user's decision (an SSH port forward makes loopback work remotely): honour it wherever this
  // build can run it at all.
  if (q.setting !== 'auto') return possible.filter((f) => f.id === q.setting).map((f) => f.id as FlowId);
  const order = possible.filter((f) => f.capabilities[q.host]).map((f) => f.id as FlowId);
  if (q.preferDeviceCode && order.includes('device-code'))
    return ['device-code', ...order.filter((id) => id !== 'device-code')];
  return order;
}

/** A forced flow the table does not recommend here: worth a line in the log when sign-in then fails. */
export function isDiscouraged(flow: FlowInfo, host: ExtensionHostKind): boolean {
  return !flow.capabilities[host];
}

/** Why a forced flow cannot run here, in words for the user. */
export function whyUnavailable(q: FlowQuery): string {
  if (q.setting === 'auto') return 'No sign-in method works in this window.';
  const f = q.flows.find((x) => x.id === q.setting);
  if (!f) {
    return q.host === 'webworker' && q.setting === 'loopback'
      ? 'The "loopback" sign-in flow cannot work in a browser (web) window, which cannot listen on a port; set "flow" to "auto".'
      : `The "${q.setting}" sign-in flow is not available in this version of OAuth Accounts; set "flow" to "auto".`;
  }
  if (f.capabilities.needsAuthorizationEndpoint && q.serverHasAuthorizationEndpoint === false) {
    return `The "${f.id}" flow needs the server's authorization endpoint, which it does not have; set "flow" to "device-code" or "auto".`;
  }
  return `The "${f.id}" flow needs the server's device authorization endpoint; set "endpoints.deviceAuthorization" or choose another flow.`;
}

/** Shared by the redirect flows: the authorization request for this sign-in, redirecting to `redirectUri`. */
export function beginFlowAuthorization(ctx: FlowContext, redirectUri: string): Promise<PendingAuthorization> {
  return ctx.client.beginAuthorization({
    requestedScopes: ctx.requestedScopes,
    redirectUri,
    loginHint: ctx.loginHint,
    selectAccount: ctx.selectAccount,
    signal: ctx.signal,
  });
}

/** Shared by the redirect flows: open the consent page; a refusal is a cancel, not an error. */
export async function openConsentPage(ui: FlowUi, pending: PendingAuthorization): Promise<void> {
  if (!(await ui.openExternal(pending.url))) throw new AuthError('cancelled', 'The browser was not opened.');
}
