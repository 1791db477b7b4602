/**
 * Decides which entries are providers — the managed files', the settings' and the API's, under the organisation's
 * rules — whenever any of them changes, and has registeredProviders.ts keep VS Code's registrations in step,
 * synchronously, with no reload. Problems are logged and shown once each, naming the provider and the field.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { describeProblem, parseProvider, SETTING, type ParsedEntry, type ProviderConfig } from '../protocol/config';
import { NO_MANAGED, type Managed } from '../settings/managedProviders';
import { NO_RULES, type OrgRules } from '../settings/orgRules';
import { apiEntryRefused, resolveSources, type ProviderSource } from '../settings/entrySources';
import type { FlowUi } from '../flows/flow';
import type { Logger } from './log';
import type { Engine } from '../engine/engine';
import type { OAuthAuthenticationProvider } from './authProvider';
import { RegisteredProviders } from './registeredProviders';
import { inSection, SETTINGS_SECTION } from './managedSources';
import { overridableFlowUi, type ProviderWiringDeps } from './authProviderWiring';
import { interactiveSignIn } from './interactiveSignIn';
import { SessionNotices } from './sessionNotices';
import { BoundClients } from './boundClients';
import { registrationRedirectUris } from './ui';
import { takenProviderIds } from './providerIds';
import type { UriCallbacks } from './uriCallbacks';
import { DynamicClientIds } from '../sessions/dynamicClientIds';
import { RegistrationStore } from '../sessions/registrationStore';
import { serverKey, type ServerLocation } from '../sessions/serverBinding';

interface RegistryDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly callbacks: UriCallbacks;
  /** The engine bundle (protocol client, flows, sign-in), loaded on first use: never at activation. */
  readonly engine: () => Promise<Engine>;
  readonly callbackPages?: FlowUi['callbackPages'];
  /** The setting's entries validated one by one (config.ts validateEntries). */
  readonly validate: (raw: unknown) => ParsedEntry[];
  /** The organisation's managed entries and rules (managedSources.ts): a local file read, never network or secrets. */
  readonly managed?: (settings: vscode.WorkspaceConfiguration) => Managed;
  /** Test and development runs: a shorter wait for the browser (devSwitches.ts). */
  readonly signInTimeoutMs?: number;
}

export class ProviderRegistry implements vscode.Disposable {
  /** What is registered with VS Code (registeredProviders.ts). */
  private readonly providers: RegisteredProviders;
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

  private fromSettings: ProviderConfig[] = [];
  /** Entries from the organisation's managed files: first, and never replaced by the settings or the API. */
  private fromManaged: ProviderConfig[] = [];
  /** The organisation's rules (orgRules.ts), from managed files and the organization.* settings. */
  private rules: OrgRules = NO_RULES;
  /** Providers declared in code by other extensions, in registration order. */
  private readonly fromApi = new Map<string, { config: ProviderConfig; owner: string }>();

  /** Client ids of entries without clientId (RFC 7591 dynamic registration), see dynamicClientIds.ts. */
  private readonly dynamicIds: DynamicClientIds;
  /** Dynamically registered clients per server binding (shared with the wizard). */
  readonly registrations: RegistrationStore;

  /** What every provider is built with (authProviderWiring.ts). */
  private readonly factory: ProviderWiringDeps;

  constructor(private readonly deps: RegistryDeps) {
    const clients = new BoundClients({ secrets: deps.context.secrets, log: deps.log, engine: deps.engine });
    this.notices = new SessionNotices({
      log: deps.log,
      clients,
      signIn: (id, scopes) => void interactiveSignIn(this, id, scopes),
    });
    this.factory = {
      secrets: deps.context.secrets,
      log: deps.log,
      engine: deps.engine,
      notices: this.notices,
      clients,
      ui: overridableFlowUi(deps.callbacks, () => this.testUiOverrides, deps.callbackPages),
      signInTimeoutMs: deps.signInTimeoutMs,
      orgRules: () => this.rules,
      forgetClient: async (config, log) => {
        log.warn(`the server no longer knows client "${config.clientId}"; registering again`);
        await this.dynamicIds.forget(config);
      },
      registeredSecret: (config) => this.registrations.clientSecret(config, config.clientId),
    };
    this.registrations = new RegistrationStore(deps.context.secrets, (l) => deps.log.warn(l));
    this.dynamicIds = new DynamicClientIds({
      store: this.registrations,
      redirectUris: (config) => this.registrationRedirectUris(config),
      register: async (config, redirectUris) => {
        const engine = await deps.engine();
        return engine.registeredClient(config, this.registrations, redirectUris);
      },
      onResolved: () => {
        try {
          this.apply();
        } catch (e) {
          this.deps.log.error(`applying a registered client id failed: ${(e as Error)?.message ?? String(e)}`);
        }
      },
      onFailed: (config, message) =>
        this.reportProblem(
          `provider "${config.id}" has no clientId and could not be registered at ${config.issuer}: ${message}`,
        ),
    });
    this.providers = new RegisteredProviders({ factory: this.factory, dynamicIds: this.dynamicIds, log: deps.log });
  }

  /**
   * Reads the setting and registers, updates or removes providers, synchronously, with no network and no secret
   * reads. Entries without a clientId (dynamic registration) are registered too, as a RegisteringProvider; their client
   * id is read from SecretStorage (or registered) after activation (dynamicClientIds.ts).
   */
  applySettings(): void {
    this.dynamicIds.retryFailed();
    const settings = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const managed = this.deps.managed?.(settings) ?? NO_MANAGED;
    this.rules = managed.rules;
    const raw = settings.get<unknown>(inSection(SETTING));
    const entries = this.deps.validate(raw);
    // Learning the ids other extensions contribute walks every installed extension: only when there is an id to check.
    const anyEntry = [...entries, ...managed.entries.map((m) => m.parsed)].some((e) => 'config' in e);
    const taken = anyEntry ? takenProviderIds() : new Set<string>();
    const resolved = resolveSources(managed, entries, taken, new Set(this.fromApi.keys()));
    for (const p of resolved.problems) this.reportProblem(p);
    this.fromManaged = resolved.managed;
    this.fromSettings = resolved.user;
    this.apply();
    // Sessions in use are checked against new rules now; the others at their provider's first use.
    for (const id of this.providers.ids()) this.get(id)?.enforceOrgRulesIfLoaded();
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
    const refused = apiEntryRefused(config, this.rules);
    if (refused) throw new Error(`OAuth Accounts: provider "${config.id}" cannot be registered: ${refused}.`);
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
    if ('problem' in parsed)
      throw new Error(
        `OAuth Accounts: ${describeProblem(parsed.problem).replace(`${SETTING}[0]`, 'registerProvider()')}`,
      );
    return parsed.config;
  }

  /** Where a provider came from, for getProviders() and the palette. */
  sourceOf(id: string): ProviderSource | undefined {
    if (this.fromManaged.some((c) => c.id === id)) return 'managed';
    if (this.fromApi.has(id)) return 'api';
    return this.fromSettings.some((c) => c.id === id) ? 'settings' : undefined;
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
    // An API entry registered before the rules (or a managed entry) came to forbid it is left out until they change.
    const managedIds = new Set(this.fromManaged.map((c) => c.id));
    const fromApi = [...this.fromApi.values()]
      .map((a) => a.config)
      .filter((c) => !managedIds.has(c.id) && !apiEntryRefused(c, this.rules));
    const wanted = [...this.fromManaged, ...this.fromSettings, ...fromApi];
    if (this.providers.sync(wanted, (c) => this.fromManaged.includes(c))) this.changed.fire();
  }

  /**
   * What the registration of `server` must hold (ui.ts registrationRedirectUris): the redirect URIs of every entry
   * without clientId that names this server binding, and of `server` itself (an entry being added, or looked up).
   */
  registrationRedirectUris(server: ServerLocation & Pick<ProviderConfig, 'loopbackPorts'>): string[] {
    const key = serverKey(server);
    const sharing = this.providers
      .configured()
      .filter((c) => c.clientRegistration === 'dynamic' && serverKey(c) === key);
    return registrationRedirectUris([server.loopbackPorts, ...sharing.map((c) => c.loopbackPorts)]);
  }

  /** Signs one account out of every session it has with this provider; one message for all of them. */
  async signOutAccount(providerId: string, accountId: string): Promise<void> {
    const provider = this.get(providerId);
    if (!provider) return;
    for (const s of (await provider.keeper.sessions()).filter((x) => x.account.id === accountId))
      await provider.removeSession(s.id);
  }

  /** The provider serving `id`, with its client id (undefined while an entry without clientId has none yet). */
  get(id: string): OAuthAuthenticationProvider | undefined {
    return this.providers.get(id);
  }

  /** What VS Code has registered under `id`: the provider, or the RegisteringProvider of an entry without clientId. */
  registered(id: string): vscode.AuthenticationProvider | undefined {
    return this.providers.registered(id);
  }

  labelOf(id: string): string {
    return this.providers.configured().find((c) => c.id === id)?.label ?? id;
  }

  /**
   * Every registered entry: with its client id once known, else (an entry without clientId still waiting for one)
   * as configured. `get(id)` may then still be undefined.
   */
  configs(): ProviderConfig[] {
    return this.providers.configured().map((c) => this.get(c.id)?.config ?? c);
  }

  /** Every provider id taken in this VS Code: VS Code's, other extensions' contributed ids, ours (managed, settings, API). */
  usedIds(): ReadonlySet<string> {
    return new Set([
      ...takenProviderIds(),
      ...this.fromManaged.map((c) => c.id),
      ...this.fromSettings.map((c) => c.id),
      ...this.fromApi.keys(),
      ...this.providers.ids(),
    ]);
  }

  /** The organisation's rules in force (for the wizard and the recommendations). */
  orgRules(): OrgRules {
    return this.rules;
  }

  dispose(): void {
    this.providers.dispose();
    this.changed.dispose();
  }
}
