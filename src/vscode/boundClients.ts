/**
 * Protocol clients bound to the server and client they belong to: each provider's (made on first use, through the
 * engine) and, for revoking a retired session, one made from that session's own binding. A stored client secret is
 * handed only to the client it was set for (serverBinding.ts); a dynamically registered client's secret comes from its
 * registration record.
 */
import type { ProviderConfig } from '../protocol/config';
import type { Logger } from './log';
import type { Engine } from '../engine/engine';
import { LazyClient } from './lazyClient';
import { keys, type SecretStorageLike } from '../sessions/sessionStore';
import { decodeClientSecret, type ServerBinding } from '../sessions/serverBinding';

interface BoundClientsDeps {
  readonly secrets: Pick<SecretStorageLike, 'get'>;
  readonly log: Logger;
  /** The engine bundle, loaded on first use (engineLoader.ts). */
  readonly engine: () => Promise<Engine>;
}

export class BoundClients {
  constructor(private readonly deps: BoundClientsDeps) {}

  /**
   * A protocol client for `config` whose client secret is only the one stored for `binding` (both made on first
   * use), or, for a dynamically registered client, `registeredSecret`: the one its registration record holds.
   */
  boundClient(
    config: ProviderConfig,
    binding: () => ServerBinding,
    registeredSecret?: () => Promise<string | undefined>,
  ): LazyClient {
    return new LazyClient(async () => {
      const log = this.deps.log.forProvider(config.id);
      const bound = binding();
      return (await this.deps.engine()).createClient(config, {
        getClientSecret: registeredSecret ?? (() => this.clientSecret(config.id, bound)),
        log: (l) => log.trace(l),
      });
    });
  }

  /**
   * The stored client secret, only if it was set for this exact server and client (serverBinding.ts): after the
   * entry's issuer, endpoints or client id change — by the user, or by an extension rewriting the setting or
   * registering a freed id — the old secret is never sent to the new server.
   */
  async clientSecret(id: string, binding: ServerBinding): Promise<string | undefined> {
    const stored = decodeClientSecret(await this.deps.secrets.get(keys.clientSecret(id)), binding);
    if (stored.kind === 'foreign')
      this.deps.log
        .forProvider(id)
        .warn(
          `the stored client secret is not used: ${stored.why}. Run "OAuth Accounts: Set Client Secret..." for this provider.`,
        );
    return stored.kind === 'bound' ? stored.secret : undefined;
  }
}
