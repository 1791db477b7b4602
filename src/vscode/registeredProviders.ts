/**
 * VS Code's registrations, one per provider id, kept in step with the entries the registry wants (registry.ts decides
 * which): a new entry is registered, a changed one registered again, a removed one disposed. An entry without clientId
 * is registered as a RegisteringProvider in front of the provider its client id makes, once that id is known.
 */
import * as vscode from 'vscode';
import { configKey, type ProviderConfig } from '../protocol/config';
import type { Logger } from './log';
import type { OAuthAuthenticationProvider } from './authProvider';
import { RegisteringProvider } from './registeringProvider';
import { createProvider, type ProviderWiringDeps } from './authProviderWiring';
import type { DynamicClientIds } from '../sessions/dynamicClientIds';

interface Entry {
  /** As configured; an entry without clientId keeps its empty one here (its registered id is in `dynamic`). */
  readonly config: ProviderConfig;
  /** Registered with VS Code: the provider, or for an entry without clientId the RegisteringProvider in front of it. */
  readonly provider?: OAuthAuthenticationProvider;
  readonly dynamic?: RegisteringProvider;
  readonly registration: vscode.Disposable;
  /** Registered as the organisation's (labelled "managed"). */
  readonly managed: boolean;
}

interface RegisteredProvidersDeps {
  /** What every provider is built with (authProviderWiring.ts). */
  readonly factory: ProviderWiringDeps;
  /** Client ids of entries without clientId (RFC 7591 dynamic registration). */
  readonly dynamicIds: DynamicClientIds;
  readonly log: Logger;
}

export class RegisteredProviders implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: RegisteredProvidersDeps) {}

  /**
   * Registers, registers again or disposes so that exactly `wanted` is registered, each managed one (`isManaged`)
   * labelled so. True when any registration changed.
   */
  sync(wanted: readonly ProviderConfig[], isManaged: (config: ProviderConfig) => boolean): boolean {
    const byId = new Map(wanted.map((c) => [c.id, c]));
    let changed = false;
    for (const [id, entry] of this.entries) {
      const next = byId.get(id);
      // The same entry from another source (it became managed) is registered again: its label says where it is from.
      if (next && configKey(next) === configKey(entry.config) && isManaged(next) === entry.managed) continue;
      this.unregister(id);
      changed = true;
    }
    for (const config of wanted) {
      if (this.entries.has(config.id)) continue;
      this.register(config, isManaged(config));
      changed = true;
    }
    for (const entry of this.entries.values())
      if (entry.dynamic && this.attachClientId(entry.config, entry.dynamic)) changed = true;
    return changed;
  }

  /** The provider serving `id`, with its client id (undefined while an entry without clientId has none yet). */
  get(id: string): OAuthAuthenticationProvider | undefined {
    const e = this.entries.get(id);
    return e?.provider ?? e?.dynamic?.current;
  }

  /** What VS Code has registered under `id`: the provider, or the RegisteringProvider of an entry without clientId. */
  registered(id: string): vscode.AuthenticationProvider | undefined {
    const e = this.entries.get(id);
    return e?.provider ?? e?.dynamic;
  }

  /** The registered entries as configured (an entry without clientId with its empty one). */
  configured(): ProviderConfig[] {
    return [...this.entries.values()].map((e) => e.config);
  }

  ids(): IterableIterator<string> {
    return this.entries.keys();
  }

  dispose(): void {
    for (const id of [...this.entries.keys()]) this.unregister(id);
  }

  private register(config: ProviderConfig, managed: boolean): void {
    // An entry without clientId: registered now like every entry, its provider attached once its client id is known.
    const dynamic =
      config.clientRegistration === 'dynamic'
        ? new RegisteringProvider(config, () => this.deps.dynamicIds.whenKnown(config))
        : undefined;
    const provider = dynamic ? undefined : createProvider(config, this.deps.factory);
    // The Accounts menu names the provider: a managed one says so, and no other may.
    const label = managed ? `${config.label} (managed)` : config.label.replace(/\s*\(managed\)\s*$/i, '') || config.id;
    const registration = vscode.authentication.registerAuthenticationProvider(
      config.id,
      label,
      (dynamic ?? provider)!,
      { supportsMultipleAccounts: true },
    );
    this.entries.set(config.id, { config, registration, provider, dynamic, managed });
    this.deps.log
      .forProvider(config.id)
      .info(
        `registered provider "${config.label}" (${config.issuer ?? config.discoveryUrl ?? config.endpoints.authorization})${dynamic ? '; its registered client id is looked up next' : ''}`,
      );
  }

  /**
   * An entry without clientId: gives its RegisteringProvider the provider for the client id now known (none while it is
   * looked up, or after the server forgot it). True when that changed.
   */
  private attachClientId(config: ProviderConfig, dynamic: RegisteringProvider): boolean {
    const effective = this.deps.dynamicIds.effective(config);
    // A forgotten client id (undefined while the next is registered) keeps its provider until the new one is known:
    // the refresh that found it dead is still ending its session there, and VS Code must hear that.
    const current = dynamic.current?.config;
    if (
      !effective ||
      (effective.clientId === current?.clientId && effective.clientAuthentication === current.clientAuthentication)
    )
      return false;
    dynamic.attach(createProvider(effective, this.deps.factory));
    return true;
  }

  private unregister(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.registration.dispose();
    e.provider?.dispose();
    e.dynamic?.dispose();
    this.entries.delete(id);
    this.deps.log.forProvider(id).info('unregistered provider');
  }
}
