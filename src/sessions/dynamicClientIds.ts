/**
 * Client ids of entries without `clientId` (config.clientRegistration === 'dynamic'), for the provider registry.
 * VS Code providers are registered synchronously, but the id lives in SecretStorage (and may need a registration
 * request), so an entry is registered once its id is known: `effective` answers from memory or starts resolving —
 * after activate() has returned, never inside it — and reports back through `onResolved`. A provider is never registered with an empty client id, so no session is
 * ever stored or matched under one (serverBinding.ts binds sessions to the real, registered id).
 * No `vscode` import.
 */
import type { ProviderConfig } from '../protocol/config';
import { isAuthError } from '../protocol/errors';
import { registrationFits, secretExpired, type RegisteredClient } from '../protocol/registeredClient';
import { serverKey } from './serverBinding';
import type { RegistrationStore } from './registrationStore';
import type { TokenClient } from './tokenSource';

/** What the registry needs to know of a registered client (its secret and management token stay in storage). */
type KnownClient = Pick<
  RegisteredClient,
  'clientId' | 'clientAuthentication' | 'redirectUris' | 'clientSecretExpiresAt'
>;

interface DynamicClientDeps {
  readonly store: RegistrationStore;
  /**
   * The redirect URIs the registration of this entry's server must hold: what every entry of that server sends (its
   * `loopbackPorts` pool or any port, and the URI handler), so entries sharing a registration never undo each other.
   */
  readonly redirectUris: (config: ProviderConfig) => string[];
  /**
   * Registers a client at the entry's server when none fits (discovery, RFC 7591 or an RFC 7592 update,
   * dynamicClient.ts, run by the engine bundle) and returns it.
   */
  readonly register: (config: ProviderConfig, redirectUris: string[]) => Promise<KnownClient>;
  /** An id became known (or was forgotten): apply the settings again. */
  readonly onResolved: () => void;
  /** Registration failed: say so once, naming the provider (the entry stays unregistered until the next change). */
  readonly onFailed: (config: ProviderConfig, message: string) => void;
}

export class DynamicClientIds {
  private readonly ids = new Map<string, KnownClient>();
  /**
   * Per server binding (serverKey: issuer, discoveryUrl, endpoint overrides — never the issuer alone, see
   * registrationStore.ts): the known ids, the lookups (or registrations) in flight, and those that failed.
   */
  private readonly lookups = new Map<string, Promise<string>>();
  private readonly failed = new Map<string, Error>();

  constructor(private readonly deps: DynamicClientDeps) {}

  /**
   * `config` with its client id and the client authentication the server registered; undefined while the client is
   * being looked up, registered or brought in step with the entry's redirect URIs, or after a failure.
   */
  effective(config: ProviderConfig): ProviderConfig | undefined {
    if (config.clientRegistration !== 'dynamic' || !config.issuer) return config;
    const known = this.fitting(config);
    if (known)
      return { ...config, clientId: known.clientId, clientAuthentication: known.clientAuthentication ?? 'none' };
    void this.lookup(config).catch(() => undefined);
    return undefined;
  }

  /** The client known for the entry's server, if it was registered for the redirect URIs its entries send now. */
  private fitting(config: ProviderConfig): KnownClient | undefined {
    const known = this.ids.get(serverKey(config));
    return known && registrationFits(known, this.deps.redirectUris(config)) ? known : undefined;
  }

  /**
   * The client id once it is known (after `onResolved` has run, so the registry already holds the provider that
   * uses it); rejects with why it could not be had.
   */
  async whenKnown(config: ProviderConfig): Promise<string> {
    if (!config.issuer) throw new Error('no issuer to register at');
    return this.fitting(config)?.clientId ?? this.lookup(config);
  }

  private lookup(config: ProviderConfig): Promise<string> {
    const key = serverKey(config);
    const failure = this.failed.get(key);
    if (failure) return Promise.reject(failure);
    let pending = this.lookups.get(key);
    if (pending) return pending;
    pending = (async () => {
      // Off the activation path: applySettings runs inside activate(), which must touch neither SecretStorage nor
      // the network. The lookup starts on the next turn of the event loop.
      await new Promise((r) => setTimeout(r, 0));
      const redirectUris = this.deps.redirectUris(config);
      const stored = await this.deps.store.get(config);
      // Only a registration for exactly these redirect URIs is used without asking the server; otherwise (a changed
      // pool, an expired secret) the engine updates it or registers anew.
      if (stored && registrationFits(stored, redirectUris)) return stored;
      try {
        return await this.deps.register(config, redirectUris);
      } catch (e) {
        // The server cannot be reached to bring the redirect URIs in step (say, the first start after an upgrade, or
        // the pool changed while offline): the registration made for the old ones still refreshes the sessions and
        // signs in on the ports it has. Taken for this window's life; the next start or settings change tries again.
        if (!stored || secretExpired(stored) || !isAuthError(e, 'network')) throw e;
        this.deps.store.log?.(
          `the redirect URIs registered for client "${stored.clientId}" could not be updated now (${(e as Error).message}); using the registration as it is`,
        );
        return { ...stored, redirectUris };
      }
    })().then(
      (client) => {
        this.lookups.delete(key);
        const { clientId, clientAuthentication, redirectUris, clientSecretExpiresAt } = client;
        this.ids.set(key, { clientId, clientAuthentication, redirectUris, clientSecretExpiresAt });
        this.deps.onResolved();
        return clientId;
      },
      (e: unknown) => {
        this.lookups.delete(key);
        const error = e instanceof Error ? e : new Error(String(e));
        this.failed.set(key, error);
        this.deps.onFailed(config, error.message);
        throw error;
      },
    );
    this.lookups.set(key, pending);
    return pending;
  }

  /** Settings changed: failed registrations are tried again. */
  retryFailed(): void {
    this.failed.clear();
  }

  /** The server answered invalid_client for `clientId`: forget it here and in the store; the next apply registers again. */
  async forget(config: ProviderConfig): Promise<void> {
    if (config.clientRegistration !== 'dynamic' || !config.issuer) return;
    const key = serverKey(config);
    if (this.ids.get(key)?.clientId !== config.clientId) return;
    await this.deps.store.forget(config, config.clientId);
    // Two failures with the same dead id: the first may already have registered a new one meanwhile. Keep that.
    if (this.ids.get(key)?.clientId !== config.clientId) return;
    this.ids.delete(key);
    this.deps.onResolved();
  }
}

/**
 * RFC 6749 §5.2 invalid_client from a token or device request: the server no longer knows the client (registrations
 * can expire or be purged). The stored registration is then dropped and a new client registered.
 */
export function isForgottenClient(e: unknown): boolean {
  return isAuthError(e) && e.details.oauthError === 'invalid_client';
}

/**
 * A dynamically registered client's token client: when a refresh is answered invalid_client (the server forgot the
 * registration), `forget` drops it, so the sign-in the user is then asked for registers again instead of failing
 * once more with the dead client id. The error still ends the session as before.
 */
export function forgettingClient(client: TokenClient, forget: () => Promise<void>): TokenClient {
  return {
    refresh: forgettingOnInvalidClient((...args) => client.refresh(...args), forget),
    revoke: (...args) => client.revoke(...args),
  };
}

/** `run`, except that an invalid_client answer first runs `forget` (then the error goes on as it was). */
export function forgettingOnInvalidClient<A extends unknown[], R>(
  run: (...args: A) => Promise<R>,
  forget: () => Promise<void>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (e) {
      if (isForgottenClient(e)) await forget();
      throw e;
    }
  };
}
