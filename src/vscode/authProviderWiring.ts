/**
 * One configured entry (with its client id) made into an OAuthAuthenticationProvider: its lazily created protocol
 * client, its flow UI, the sign-in through the engine bundle, and what the user is told (sessionNotices.ts). The
 * registry decides when; this file only builds.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { PREFER_DEVICE_CODE_SETTING, type ProviderConfig } from '../protocol/config';
import type { FlowUi } from '../flows/flow';
import type { SignInUi } from '../engine/signIn';
import type { Engine } from '../engine/engine';
import type { Logger } from './log';
import { OAuthAuthenticationProvider, type ProviderDeps } from './authProvider';
import { bindingOf } from '../sessions/serverBinding';
import type { SessionNotices } from './sessionNotices';
import type { BoundClients } from './boundClients';
import { createFlowUi, extensionHostKind } from './ui';
import type { UriCallbacks } from './uriCallbacks';
import { forgettingClient, forgettingOnInvalidClient } from '../sessions/dynamicClientIds';
import { accountRefused } from '../settings/orgRules';

export interface ProviderWiringDeps {
  readonly secrets: vscode.SecretStorage;
  readonly log: Logger;
  readonly engine: () => Promise<Engine>;
  readonly notices: SessionNotices;
  readonly clients: BoundClients;
  /** The flow UI every provider signs in with (overridableFlowUi): one for all, it depends on no entry. */
  readonly ui: FlowUi & SignInUi;
  readonly signInTimeoutMs?: number;
  /** The server no longer knows this dynamically registered client: drop it so the next sign-in registers again. */
  readonly forgetClient: (config: ProviderConfig, log: Logger) => Promise<void>;
  /** The organisation's rules in force (orgRules.ts): checked at sign-in, and against stored sessions when they change. */
  readonly orgRules?: ProviderDeps['orgRules'];
  /**
   * The secret a server issued at registration to this dynamically registered client (a server that makes every
   * registered client confidential), from its registration record: bound to the server binding it was made at.
   */
  readonly registeredSecret: (config: ProviderConfig) => Promise<string | undefined>;
}

/**
 * The flow UI (browser, URI callbacks, device code modal, paste box), with `overrides` read at call time: test runs
 * replace parts VS Code refuses under test (see ProviderRegistry.testUiOverrides).
 */
export function overridableFlowUi(
  callbacks: UriCallbacks,
  overrides: () => Partial<FlowUi>,
  callbackPages?: FlowUi['callbackPages'],
): FlowUi & SignInUi {
  const base = createFlowUi(callbacks);
  return {
    withProgress: base.withProgress,
    offerNextFlow: base.offerNextFlow,
    openExternal: (url) => (overrides().openExternal ?? base.openExternal)(url),
    externalCallbackUri: () => (overrides().externalCallbackUri ?? base.externalCallbackUri)(),
    waitForUriCallback: (state, signal) => (overrides().waitForUriCallback ?? base.waitForUriCallback)(state, signal),
    showDeviceCode: (info, signal) => (overrides().showDeviceCode ?? base.showDeviceCode)(info, signal),
    askForRedirectedUrl: (validate, signal) =>
      (overrides().askForRedirectedUrl ?? base.askForRedirectedUrl)(validate, signal),
    callbackPages,
  };
}

export function createProvider(config: ProviderConfig, deps: ProviderWiringDeps): OAuthAuthenticationProvider {
  const log = deps.log.forProvider(config.id);
  const { notices } = deps;
  const dynamic = config.clientRegistration === 'dynamic';
  const client = deps.clients.boundClient(
    config,
    () => bindingOf(config),
    dynamic ? () => deps.registeredSecret(config) : undefined,
  );
  const { ui, orgRules } = deps;
  const preferDeviceCode = () =>
    vscode.workspace.getConfiguration().get<boolean>(PREFER_DEVICE_CODE_SETTING, false) === true;
  // A dynamically registered client the server no longer knows (a sign-in or refresh answered invalid_client):
  // forget it, so a new one is registered.
  const forget = () => deps.forgetClient(config, log);
  const signIn: ProviderDeps['signIn'] = async (scopes, request) => {
    const [engine, protocolClient] = await Promise.all([deps.engine(), client.get()]);
    return engine.signIn(
      {
        config,
        client: protocolClient,
        ui,
        host: extensionHostKind,
        log,
        preferDeviceCode,
        timeoutMs: deps.signInTimeoutMs,
        accountRefused: orgRules && ((identifiers) => accountRefused(identifiers, orgRules())),
      },
      scopes,
      request,
    );
  };
  const provider = new OAuthAuthenticationProvider({
    config,
    client: dynamic ? forgettingClient(client, forget) : client,
    secrets: deps.secrets,
    log,
    signIn: dynamic ? forgettingOnInvalidClient(signIn, forget) : signIn,
    notifySignedOut: (s, reason) => notices.mustSignInAgain(config, s, reason),
    retire: (sessions) => void notices.retire(config, sessions),
    signedOut: (s, revocation) => notices.signedOut(config, s, revocation),
    cancelled: () => void notify.showInformationMessage(`Sign-in to ${config.label} cancelled.`),
    orgRules,
  });
  provider.onDidChangeSessions((e) => {
    for (const s of e.added ?? []) notices.signedIn(config, s.account.id);
  });
  return provider;
}
