/**
 * Dynamically registered clients (RFC 7591) in SecretStorage: the client id, the redirect URIs it was registered
 * with and, when the server issued them, its registration access token and (a server that made the client
 * confidential) its client secret — which is therefore bound to the server binding below like every client secret. A record is keyed by the full server binding of the entries that use it — issuer,
 * discovery URL and endpoint overrides (serverBinding.ts `serverKey`), the settings that decide where discovery and
 * every request go — and remembers the registration endpoint it was made at. So entries that name the same server
 * share one registration across windows and restarts, and an entry that only borrows an issuer's name (another
 * `discoveryUrl` or other `endpoints`, from a rewritten setting or another extension's API call) gets its own: it
 * can neither read the user's client id, nor plant its own for the user's entry, nor delete the user's record (it
 * can only forget what is stored under its own binding). No `vscode` import.
 */
import type { RegisteredClient } from '../protocol/registration';
import { serverKey, type ServerLocation } from './serverBinding';
import type { SecretStorageLike } from './sessionStore';

const PREFIX = 'oauthAccounts.clientRegistration:';
/** Records written before registrations were bound to the whole server (keyed by issuer alone): adopted, see below. */
const LEGACY_PREFIX = 'oauthAccounts.registration:';

interface Record2 {
  readonly v: 2;
  readonly server: string;
  readonly registrationEndpoint: string;
  readonly client: RegisteredClient;
  readonly createdAt: number;
}

interface LegacyRecord {
  readonly v: 1;
  readonly issuer: string;
  readonly registrationEndpoint: string;
  readonly client: RegisteredClient;
}

/** The SecretStorage key of the registration for `server`. */
export function registrationKey(server: ServerLocation): string {
  return `${PREFIX}${serverKey(server)}`;
}

export function legacyRegistrationKey(issuer: string): string {
  return `${LEGACY_PREFIX}${issuer}`;
}

export class RegistrationStore {
  constructor(
    private readonly secrets: Pick<SecretStorageLike, 'get' | 'store' | 'delete'>,
    readonly log?: (line: string) => void,
  ) {}

  /**
   * The client registered for `server` (at `registrationEndpoint`, when the caller has the metadata at hand), or
   * undefined (none, damaged, or made at another registration endpoint). Without the endpoint the binding alone
   * decides: that lets a window start without a network request.
   */
  async get(server: ServerLocation, registrationEndpoint?: string): Promise<RegisteredClient | undefined> {
    const rec = await this.read(server);
    if (!rec) return undefined;
    if (registrationEndpoint !== undefined && rec.registrationEndpoint !== registrationEndpoint) {
      this.log?.(
        `the stored client registration for ${describe(server)} was made at another registration endpoint and is not used`,
      );
      return undefined;
    }
    return rec.client;
  }

  /**
   * The client secret the server issued to `clientId` at registration, only while that client is the one stored for
   * exactly this server binding: so it is only ever sent to the server that issued it.
   */
  async clientSecret(server: ServerLocation, clientId: string): Promise<string | undefined> {
    const client = (await this.read(server))?.client;
    return client?.clientId === clientId ? client.clientSecret : undefined;
  }

  async set(
    server: ServerLocation,
    registrationEndpoint: string,
    client: RegisteredClient,
    now = Date.now(),
  ): Promise<void> {
    const rec: Record2 = { v: 2, server: serverKey(server), registrationEndpoint, client, createdAt: now };
    await this.secrets.store(registrationKey(server), JSON.stringify(rec));
  }

  /**
   * After the server answered invalid_client for this client id: forget it, only under this binding and only if it
   * is still the stored one (a newer registration made meanwhile is kept).
   */
  async forget(server: ServerLocation, clientId: string): Promise<boolean> {
    const raw = await this.secrets.get(registrationKey(server));
    try {
      if (raw && (JSON.parse(raw) as Partial<Record2>).client?.clientId !== clientId) return false;
    } catch {
      /* damaged: delete it */
    }
    await this.secrets.delete(registrationKey(server));
    return true;
  }

  /**
   * A registration stored by an earlier version under the issuer alone, taken over for `server` when it can only
   * have been made for it: the entry names the issuer and nothing else (no discoveryUrl, no endpoint overrides), and
   * the record was made at the registration endpoint the issuer's own metadata names now. A record planted through a
   * look-alike entry (made at another registration endpoint) fails that and is deleted, as is the adopted one's old
   * copy, so no registration access token is left behind.
   */
  async adoptLegacy(server: ServerLocation, registrationEndpoint: string): Promise<RegisteredClient | undefined> {
    if (!server.issuer || server.discoveryUrl !== undefined || Object.keys(server.endpoints).length) return undefined;
    const key = legacyRegistrationKey(server.issuer);
    const raw = await this.secrets.get(key);
    if (!raw) return undefined;
    let rec: Partial<LegacyRecord> | undefined;
    try {
      rec = JSON.parse(raw);
    } catch {
      rec = undefined;
    }
    const usable =
      rec?.v === 1 &&
      rec.issuer === server.issuer &&
      rec.registrationEndpoint === registrationEndpoint &&
      typeof rec.client?.clientId === 'string' &&
      !!rec.client.clientId;
    if (usable) await this.set(server, registrationEndpoint, rec!.client!);
    else
      this.log?.(
        `the client registration an earlier version stored for ${server.issuer} was not made at its registration endpoint and is deleted`,
      );
    await this.secrets.delete(key);
    return usable ? rec!.client : undefined;
  }

  private async read(server: ServerLocation): Promise<Record2 | undefined> {
    const raw = await this.secrets.get(registrationKey(server));
    if (!raw) return undefined;
    let rec: Partial<Record2> | undefined;
    try {
      rec = JSON.parse(raw);
    } catch {
      rec = undefined;
    }
    if (
      !rec ||
      rec.v !== 2 ||
      rec.server !== serverKey(server) ||
      typeof rec.registrationEndpoint !== 'string' ||
      typeof rec.client?.clientId !== 'string' ||
      !rec.client.clientId ||
      !Array.isArray(rec.client.redirectUris) ||
      (rec.client.clientSecret !== undefined && typeof rec.client.clientSecret !== 'string')
    ) {
      this.log?.(`the stored client registration for ${describe(server)} is damaged and is not used`);
      return undefined;
    }
    return rec as Record2;
  }
}

function describe(server: ServerLocation): string {
  return server.issuer ?? server.discoveryUrl ?? server.endpoints.token ?? 'a server';
}
