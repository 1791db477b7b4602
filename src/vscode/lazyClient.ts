/**
 * A provider's protocol client before the engine bundle is loaded (engine/engine.ts): created on the first call that
 * needs it — a sign-in, a refresh, a revocation — and then kept, so discovery and the JWKS cache happen once per
 * provider as before. Registering a provider at activation creates only this.
 */
import type { ProviderClient } from '../protocol/client';
import type { TokenClient } from '../sessions/tokenSource';
import { onceUntilFailure } from './engineLoader';

export class LazyClient implements TokenClient {
  /** The client; a failed creation (the engine did not load) is tried again on the next call. */
  readonly get: () => Promise<ProviderClient>;

  constructor(create: () => Promise<ProviderClient>) {
    this.get = onceUntilFailure(create);
  }

  async refresh(...args: Parameters<ProviderClient['refresh']>): ReturnType<ProviderClient['refresh']> {
    return (await this.get()).refresh(...args);
  }

  async revoke(...args: Parameters<ProviderClient['revoke']>): ReturnType<ProviderClient['revoke']> {
    return (await this.get()).revoke(...args);
  }
}
