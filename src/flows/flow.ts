/**
 * The flow table: every way to get the browser's answer back, with what it needs, and one pure function that picks
 * the usable ones in order of preference (like github-authentication's flows.ts). Only signIn.ts knows that more
 * than one flow exists; flows themselves only see the FlowUi and an AbortSignal.
 */
import type { FlowSetting } from '../config';
import type { PendingAuthorization, ProviderClient, SignInResult } from '../protocol/client';
import { AuthError } from '../protocol/errors';

export type FlowId = 'loopback' | 'uri-handler' | 'device-code' | 'manual';
/** Where our extension host runs, as seen from the user's browser. */
export type ExtensionHostKind = 'local' | 'remote' | 'webworker';

export interface FlowCapabilities {
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

export interface FlowInfo {
  readonly id: FlowId;
  /** Shown in "Try a different way (<label>)?". */
  readonly label: string;
  readonly capabilities: FlowCapabilities;
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
}

export interface Flow extends FlowInfo {
  run(ctx: FlowContext): Promise<SignInResult>;
}

/** In order of preference. A false capability says why in one line. */
export const FLOW_TABLE: readonly FlowInfo[] = [
  {
    id: 'loopback',
    label: 'local browser redirect',
    // The listener must run where the browser is: on a remote host 127.0.0.1 is the wrong machine; a web worker
    // cannot open a port at all.
    capabilities: { local: true, remote: false, webworker: false, needsDeviceEndpoint: false, needsAuthorizationEndpoint: true },
  },
  {
    id: 'uri-handler',
    label: 'VS Code URI handler',
    capabilities: { local: true, remote: true, webworker: true, needsDeviceEndpoint: false, needsAuthorizationEndpoint: true },
  },
  {
    id: 'device-code',
    label: 'device code',
    // Needs nothing to come back to VS Code: the last resort wherever the redirect flows cannot work, and the
    // preferred flow with oauthAccounts.preferDeviceCode (WSL, locked-down hosts, a browser on another device).
    capabilities: { local: true, remote: true, webworker: true, needsDeviceEndpoint: true, needsAuthorizationEndpoint: false, serverDeadline: true },
  },
  {
    id: 'manual',
    label: 'paste the redirected URL',
    // Where no redirect comes back (a browser on another machine, a vscode:// link nothing handles) and the server
    // has no device endpoint: the user copies the final address from the browser into VS Code.
    capabilities: { local: true, remote: true, webworker: true, needsDeviceEndpoint: false, needsAuthorizationEndpoint: true, onlyWithoutDeviceEndpoint: true },
  },
];

export interface FlowQuery {
  readonly host: ExtensionHostKind;
  readonly setting: FlowSetting;
  readonly serverHasDeviceEndpoint: boolean;
  /** false for a device-only server (no authorization_endpoint); undefined counts as true. */
  readonly serverHasAuthorizationEndpoint?: boolean;
  /** oauthAccounts.preferDeviceCode: with `auto`, device code goes first whenever it is possible. */
  readonly preferDeviceCode?: boolean;
  /** Flows this build implements (device code lands later; the web build has no loopback). */
  readonly implemented: ReadonlySet<FlowId>;
}

/**
 * Usable flows in order. A forced `flow` setting returns just that flow when it can work here, else nothing (the
 * caller explains why with `whyUnavailable`).
 */
export function selectFlows(q: FlowQuery): FlowId[] {
  const hasAuthorizationEndpoint = q.serverHasAuthorizationEndpoint ?? true;
  const possible = FLOW_TABLE.filter((f) => q.implemented.has(f.id)
    && (!f.capabilities.needsDeviceEndpoint || q.serverHasDeviceEndpoint)
    && (!f.capabilities.needsAuthorizationEndpoint || hasAuthorizationEndpoint)
    && (!f.capabilities.onlyWithoutDeviceEndpoint || !q.serverHasDeviceEndpoint));
  // A forced flow is the user's decision (an SSH port forward makes loopback work remotely): honour it wherever this
  // build can run it at all.
  if (q.setting !== 'auto') return possible.filter((f) => f.id === q.setting).map((f) => f.id);
  const order = possible.filter((f) => f.capabilities[q.host]).map((f) => f.id);
  if (q.preferDeviceCode && order.includes('device-code')) return ['device-code', ...order.filter((id) => id !== 'device-code')];
  return order;
}

/** A forced flow the table does not recommend here: worth a line in the log when sign-in then fails. */
export function isDiscouraged(id: FlowId, host: ExtensionHostKind): boolean {
  return !flowInfo(id).capabilities[host];
}

/** Why a forced flow cannot run here, in words for the user. */
export function whyUnavailable(q: FlowQuery): string {
  const f = FLOW_TABLE.find((x) => x.id === q.setting);
  if (!f) return 'No sign-in method works in this window.';
  if (!q.implemented.has(f.id)) {
    return q.host === 'webworker' && f.id === 'loopback'
      ? 'The "loopback" sign-in flow cannot work in a browser (web) window, which cannot listen on a port; set "flow" to "auto".'
      : `The "${f.id}" sign-in flow is not available in this version of OAuth Accounts; set "flow" to "auto".`;
  }
  if (f.capabilities.needsAuthorizationEndpoint && q.serverHasAuthorizationEndpoint === false) {
    return `The "${f.id}" flow needs the server's authorization endpoint, which it does not have; set "flow" to "device-code" or "auto".`;
  }
  return `The "${f.id}" flow needs the server's device authorization endpoint; set "endpoints.deviceAuthorization" or choose another flow.`;
}

export function flowLabel(id: FlowId): string {
  return flowInfo(id).label;
}

/** A flow's table entry, for `{ ...flowInfo(id), run }`. */
export function flowInfo(id: FlowId): FlowInfo {
  return FLOW_TABLE.find((f) => f.id === id)!;
}

/** Shared by the redirect flows: the authorization request for this sign-in, redirecting to `redirectUri`. */
export function beginFlowAuthorization(ctx: FlowContext, redirectUri: string): Promise<PendingAuthorization> {
  return ctx.client.beginAuthorization({ requestedScopes: ctx.requestedScopes, redirectUri, loginHint: ctx.loginHint, selectAccount: ctx.selectAccount, signal: ctx.signal });
}

/** Shared by the redirect flows: open the consent page; a refusal is a cancel, not an error. */
export async function openConsentPage(ui: FlowUi, pending: PendingAuthorization): Promise<void> {
  if (!(await ui.openExternal(pending.url))) throw new AuthError('cancelled', 'The browser was not opened.');
}
