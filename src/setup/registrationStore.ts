/**
 * Dynamically registered clients (RFC 7591), one per authorization server, in SecretStorage: the client id and, when
 * the server issued one, its registration access token. Keyed by issuer and bound to it and to the registration
 * endpoint: a record is only ever used for the server that issued it, so every window and every provider entry of
 * that server shares one registration, across restarts, and a rewritten setting cannot move it to another server.
 * No `vscode` import.
 */
import type { RegisteredClient } from '../protocol/registration';
import type { SecretStorageLike } from '../sessions/sessionStore';

const PREFIX = 'oauthAccounts.registration:';

interface Record1 {
  readonly v: 1;
  readonly issuer: string;
  readonly registrationEndpoint: string;
  readonly client: RegisteredClient;
  readonly createdAt: number;
}

export function registrationKey(issuer: string): string {
  return `${PREFIX}${issuer}`;
}

export class RegistrationStore {
  constructor(private readonly secrets: Pick<SecretStorageLike, 'get' | 'store' | 'delete'>, private readonly log?: (line: string) => void) {}

  /**
   * The client registered at `issuer` (through `registrationEndpoint`, when the caller has the metadata at hand), or
   * undefined (none, damaged or foreign). Without the endpoint the issuer alone decides: that is what the record is
   * keyed and bound by, and it lets a window start without a network request.
   */
  async get(issuer: string, registrationEndpoint?: string): Promise<RegisteredClient | undefined> {
    const raw = await this.secrets.get(registrationKey(issuer));
    if (!raw) return undefined;
    let rec: Partial<Record1> | undefined;
    try { rec = JSON.parse(raw); } catch { rec = undefined; }
    if (!rec || rec.v !== 1 || typeof rec.client?.clientId !== 'string' || !rec.client.clientId) {
      this.log?.(`the stored client registration for ${issuer} is damaged and is not used`);
      return undefined;
    }
    if (rec.issuer !== issuer || (registrationEndpoint !== undefined && rec.registrationEndpoint !== registrationEndpoint)) {
      this.log?.(`the stored client registration for ${issuer} was made at another registration endpoint and is not used`);
      return undefined;
    }
    return rec.client;
  }

  async set(issuer: string, registrationEndpoint: string, client: RegisteredClient, now = Date.now()): Promise<void> {
    const rec: Record1 = { v: 1, issuer, registrationEndpoint, client, createdAt: now };
    await this.secrets.store(registrationKey(issuer), JSON.stringify(rec));
  }

  /** After the server answered invalid_client for this client id: forget it (only if it is still the stored one). */
  async forget(issuer: string, clientId: string): Promise<boolean> {
    const raw = await this.secrets.get(registrationKey(issuer));
    try {
      if (raw && (JSON.parse(raw) as Partial<Record1>).client?.clientId !== clientId) return false;
    } catch { /* damaged: delete it */ }
    await this.secrets.delete(registrationKey(issuer));
    return true;
  }
}
