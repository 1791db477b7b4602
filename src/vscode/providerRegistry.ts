/**
 * Keeps VS Code's registered authentication providers in step with the settings and the API: every valid
 * entry is registered synchronously, a changed entry is re-registered, a removed one disposed — no reload. Problems
 * are logged and shown once each, naming the provider and the field.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { BUILT_IN_PROVIDER_IDS, configKey, describeProblem, parseProvider, parseProviders, PREFER_DEVICE_CODE_SETTING, SETTING, type ProviderConfig } from '../setup/config';
import type { FlowUi } from '../flows/flow';
import type { Logger } from './log';
import type { Engine } from '../engine/engine';
import { OAuthAuthenticationProvider } from './provider';
import { PendingProvider } from './pendingProvider';
import { bindingOf } from '../sessions/serverBinding';
import { interactiveSignIn } from './commands';
import { SessionNotices } from './sessionNotices';
import { createFlowUi, EXTENSION_ID, extensionHostKind, registrationRedirectUris } from './ui';
import type { UriCallbacks } from './uriCallbacks';
import { DynamicClientIds, forgettingClient, isForgottenClient } from '../setup/dynamicClientIds';
import { RegistrationStore } from '../setup/registrationStore';

interface Entry {
  readonly config: ProviderConfig;
  /** The provider; absent while an entry without clientId waits for its client id (then `pending` stands in). */
  readonly provider?: OAuthAuthenticationProvider;
  readonly pending?: PendingProvider;
  readonly registration: vscode.Disposable;
}

export interface RegistryDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly callbacks: UriCallbacks;
  /** The engine bundle (protocol client, flows, sign-in), loaded on first use: never at activation. */
  readonly engine: () => Promise<Engine>;
  readonly callbackPages?: FlowUi['callbackPages'];
}

export class ProviderRegistry implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly shownProblems = new Set<string>();
  /** What the user is told about sessions, and the bound client secrets (sessionNotices.ts). */
  private readonly notices: SessionNotices;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeProviders = this.changed.event;
  /**
   * Test runs only (the registry is exported only in ExtensionMode.Test): replaces parts of the flow UI that VS Code
   * refuses under test, such as the device code modal ("refused to show dialog in tests").
   */
  testUiOverrides: Partial<FlowUi> = {};

  /**
   * The redirect flows' sign-in timeout. Development and test runs only may shorten it (OAUTH_ACCOUNTS_SIGN_IN_
   * TIMEOUT_MS) so that the "try a different way?" prompt after a redirect that never comes back can be tested
   * without waiting 5 minutes; an installed extension always uses the default.
   */
  private readonly signInTimeoutMs: number | undefined;

  private fromSettings: ProviderConfig[] = [];
  /** Providers declared in code by other extensions, in registration order. */
  private readonly fromApi = new Map<string, { config: ProviderConfig; owner: string }>();

  /** Client ids of entries without clientId (RFC 7591 dynamic registration), see dynamicClientIds.ts. */
  private readonly dynamicIds: DynamicClientIds;
  /** Dynamically registered clients per issuer (shared with the wizard). */
  readonly registrations: RegistrationStore;

  constructor(private readonly deps: RegistryDeps) {
    this.signInTimeoutMs = devSignInTimeoutMs(deps.context.extensionMode);
    this.notices = new SessionNotices({ secrets: deps.context.secrets, log: deps.log, engine: deps.engine, signIn: (id, scopes) => void interactiveSignIn(this, id, scopes) });
    this.registrations = new RegistrationStore(deps.context.secrets, (l) => deps.log.warn(l));
    this.dynamicIds = new DynamicClientIds({
      store: this.registrations,
      register: async (config) => {
        const engine = await deps.engine();
        return engine.registeredClientId(engine.createClient(config, { getClientSecret: async () => undefined }), this.registrations, await registrationRedirectUris());
      },
      onResolved: () => this.apply(),
      onFailed: (config, message) => this.reportProblem(`provider "${config.id}" has no clientId and could not be registered at ${config.issuer}: ${message}`),
    });
  }

  /**
   * Reads the setting and registers, updates or removes providers, synchronously, with no network and no secret
   * reads. Entries without a clientId (dynamic registration) are registered too, as a PendingProvider; their client
   * id is read from SecretStorage (or registered) after activation (dynamicClientIds.ts).
   */
  applySettings(): void {
    this.dynamicIds.retryFailed();
    const raw = vscode.workspace.getConfiguration().get<unknown>(SETTING);
    const taken = this.takenIds();
    for (const id of this.fromApi.keys()) taken.add(id);
    const { providers, problems } = parseProviders(raw, taken);
    for (const p of problems) this.reportProblem(describeProblem(p));
    this.fromSettings = providers;
    this.apply();
  }

  /**
   * The API's registerProvider: the same schema and validation as the setting. Throws an Error naming the field
   * when the entry is invalid or its id is taken (by VS Code, another extension, the settings or an earlier call).
   */
  registerFromApi(entry: unknown, owner: string): vscode.Disposable {
    const config = this.validateApiEntry(entry);
    if (this.usedIds().has(config.id)) {
      throw new Error(`OAuth Accounts: provider id "${config.id}" is already in use; choose another id.`);
    }
    this.fromApi.set(config.id, { config, owner });
    this.deps.log.info(`${owner} registered provider "${config.id}"`);
    this.apply();
    return new vscode.Disposable(() => {
      if (this.fromApi.get(config.id)?.config !== config) return;
      this.fromApi.delete(config.id);
      this.apply();
    });
  }

  /** The entry as a config, or an Error naming the field — the same message as the setting's. */
  validateApiEntry(entry: unknown): ProviderConfig {
    const parsed = parseProvider(entry);
    if ('problem' in parsed) throw new Error(`OAuth Accounts: ${describeProblem(parsed.problem).replace(`${SETTING}[0]`, 'registerProvider()')}`);
    return parsed.config;
  }

  /** Where a provider came from, for getProviders(). */
  sourceOf(id: string): 'settings' | 'api' | undefined {
    if (this.fromApi.has(id)) return 'api';
    return this.fromSettings.some((c) => c.id === id) ? 'settings' : undefined;
  }

  private takenIds(): Set<string> {
    return new Set([...BUILT_IN_PROVIDER_IDS, ...contributedProviderIds().keys()]);
  }

  private reportProblem(text: string): void {
    this.deps.log.warn(`settings: ${text}`);
    if (this.shownProblems.has(text)) return;
    this.shownProblems.add(text);
    void notify.showWarningMessage(`OAuth Accounts: ${text}`, 'Open Settings').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
    });
  }

  /** Registers, updates or removes providers so that they match the settings' and the API's entries. */
  private apply(): void {
    const all = [...this.fromSettings, ...[...this.fromApi.values()].map((a) => a.config)];
    // An entry without clientId is registered at once as a PendingProvider, and replaced by the real provider (a
    // changed config key: the client id) once its registered client id is known — never used with an empty one.
    const configs = all.map((c) => this.dynamicIds.effective(c) ?? c);
    const wanted = new Map(configs.map((c) => [c.id, c]));
    let changed = false;
    for (const [id, entry] of this.entries) {
      const next = wanted.get(id);
      if (next && configKey(next) === configKey(entry.config)) continue;
      this.unregister(id);
      changed = true;
    }
    for (const config of configs) {
      if (this.entries.has(config.id)) continue;
      this.register(config);
      changed = true;
    }
    if (changed) this.changed.fire();
  }

  private register(config: ProviderConfig): void {
    if (config.clientRegistration === 'dynamic' && !config.clientId) return this.registerPending(config);
    const log = this.deps.log.forProvider(config.id);
    const secrets = this.deps.context.secrets;
    const client = this.notices.boundClient(config, () => bindingOf(config));
    const base = createFlowUi(this.deps.callbacks);
    const ui: FlowUi = {
      openExternal: (url) => (this.testUiOverrides.openExternal ?? base.openExternal)(url),
      externalCallbackUri: () => (this.testUiOverrides.externalCallbackUri ?? base.externalCallbackUri)(),
      waitForUriCallback: (state, signal) => (this.testUiOverrides.waitForUriCallback ?? base.waitForUriCallback)(state, signal),
      showDeviceCode: (info, signal) => (this.testUiOverrides.showDeviceCode ?? base.showDeviceCode)(info, signal),
      askForRedirectedUrl: (validate, signal) => (this.testUiOverrides.askForRedirectedUrl ?? base.askForRedirectedUrl)(validate, signal),
      callbackPages: this.deps.callbackPages,
    };
    const preferDeviceCode = () => vscode.workspace.getConfiguration().get<boolean>(PREFER_DEVICE_CODE_SETTING, false) === true;
    const provider = new OAuthAuthenticationProvider({
      config,
      client: config.clientRegistration === 'dynamic' ? forgettingClient(client, () => this.forgetClient(config, log)) : client,
      secrets,
      log,
      signIn: async (scopes, request) => {
        try {
          const [engine, protocolClient] = await Promise.all([this.deps.engine(), client.get()]);
          return await engine.signIn({ config, client: protocolClient, ui, host: extensionHostKind, log, preferDeviceCode, timeoutMs: this.signInTimeoutMs }, scopes, request);
        } catch (e) {
          // A dynamically registered client the server no longer knows: register again for the next sign-in.
          if (isForgottenClient(e) && config.clientRegistration === 'dynamic') await this.forgetClient(config, log);
          throw e;
        }
      },
      notifySignedOut: (s, reason) => this.notices.mustSignInAgain(config, s, reason),
      retire: (sessions) => void this.notices.retire(config, sessions),
      signedOut: (s, revocation) => this.notices.signedOut(config, s, revocation),
      cancelled: () => void notify.showInformationMessage(`Sign-in to ${config.label} cancelled.`),
    });
    provider.onDidChangeSessions((e) => {
      for (const s of e.added ?? []) this.notices.signedIn(config, s.account.id);
    });
    const registration = vscode.authentication.registerAuthenticationProvider(config.id, config.label, provider, { supportsMultipleAccounts: true });
    this.entries.set(config.id, { config, provider, registration });
    log.info(`registered provider "${config.label}" (${config.issuer ?? config.discoveryUrl ?? config.endpoints.authorization})`);
  }

  /** The server no longer knows this entry's registered client: drop it, so the next sign-in registers again. */
  private async forgetClient(config: ProviderConfig, log: Logger): Promise<void> {
    log.warn(`the server no longer knows client "${config.clientId}"; registering again`);
    await this.dynamicIds.forget(config);
  }

  /** An entry without clientId, until its client id is known (pendingProvider.ts). */
  private registerPending(config: ProviderConfig): void {
    const pending = new PendingProvider({
      config,
      ready: async () => {
        await this.dynamicIds.whenKnown(config);
        return this.entries.get(config.id)?.provider;
      },
    });
    const registration = vscode.authentication.registerAuthenticationProvider(config.id, config.label, pending, { supportsMultipleAccounts: true });
    this.entries.set(config.id, { config, pending, registration });
    this.deps.log.forProvider(config.id).info(`registered provider "${config.label}" (${config.issuer}); its registered client id is looked up next`);
  }

  private unregister(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.registration.dispose();
    e.provider?.dispose();
    e.pending?.dispose();
    this.entries.delete(id);
    this.deps.log.forProvider(id).info('unregistered provider');
  }

  /** Signs one account out of every session it has with this provider; one message for all of them. */
  async signOutAccount(providerId: string, accountId: string): Promise<void> {
    const provider = this.get(providerId);
    if (!provider) return;
    for (const s of (await provider.keeper.sessions()).filter((x) => x.account.id === accountId)) await provider.removeSession(s.id);
  }

  get(id: string): OAuthAuthenticationProvider | undefined {
    return this.entries.get(id)?.provider;
  }

  /** What VS Code has registered under `id`: the provider, or the stand-in of an entry waiting for its client id. */
  registered(id: string): vscode.AuthenticationProvider | undefined {
    const e = this.entries.get(id);
    return e?.provider ?? e?.pending;
  }

  labelOf(id: string): string {
    return this.entries.get(id)?.config.label ?? id;
  }

  /** Providers ready for use (an entry without clientId once its client id is known). */
  configs(): ProviderConfig[] {
    return [...this.entries.values()].filter((e) => e.provider).map((e) => e.config);
  }

  /** Every provider id taken in this VS Code: VS Code's, other extensions' contributed ids, ours (settings, API). */
  usedIds(): ReadonlySet<string> {
    return new Set([...this.takenIds(), ...this.fromSettings.map((c) => c.id), ...this.fromApi.keys(), ...this.entries.keys()]);
  }

  dispose(): void {
    for (const id of [...this.entries.keys()]) this.unregister(id);
    this.changed.dispose();
  }
}

function devSignInTimeoutMs(mode: vscode.ExtensionMode): number | undefined {
  if (mode === vscode.ExtensionMode.Production || typeof process === 'undefined') return undefined;
  const ms = Number(process.env.OAUTH_ACCOUNTS_SIGN_IN_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/** Authentication provider ids other extensions contribute, with the extension that owns each. */
export function contributedProviderIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const ext of vscode.extensions.all) {
    if (ext.id.toLowerCase() === EXTENSION_ID) continue;
    const contributed = (ext.packageJSON as { contributes?: { authentication?: Array<{ id?: unknown }> } })?.contributes?.authentication;
    for (const a of contributed ?? []) if (typeof a?.id === 'string' && !ids.has(a.id)) ids.set(a.id, ext.id);
  }
  return ids;
}
