/**
 * The wizard's client step: with a server that offers RFC 7591 registration, register OAuth Accounts as a public
 * native client (asking for an initial access token only when the server wants one), or let the user enter a
 * client id registered by hand. Says which path it took. Kept apart from addProvider.ts so that file stays a flow.
 */
import * as vscode from 'vscode';
import type { ServerMetadata } from 'openid-client';
import * as notify from '../notify';
import type { EnsuredClient } from '../../engine/registerClient';
import type { Engine } from '../../engine/engine';
import { hasReason, isAuthError } from '../../protocol/errors';
import type { ProviderRegistry } from '../registry';
import type { ServerLocation } from '../../sessions/serverBinding';

interface ClientChoice {
  /** A client id entered by hand (undefined when registered). */
  readonly clientId?: string;
  /** What was registered or reused, for the wizard's last dialog (undefined when entered by hand). */
  readonly registered?: string;
}

type Ask = (prompt: string, o: { placeholder?: string }) => Promise<string | undefined>;

/**
 * `server`: what the entry the wizard writes will name (issuer, discoveryUrl, endpoint overrides): a registration is
 * stored under exactly that binding (registrationStore.ts), so the provider finds it when it starts.
 */
export async function chooseClient(
  registry: ProviderRegistry,
  metadata: ServerMetadata | undefined,
  server: ServerLocation,
  engine: Pick<Engine, 'ensureRegisteredClient'>,
  serverLabel: string,
  ask: Ask,
): Promise<ClientChoice | undefined> {
  const byHand = async (): Promise<ClientChoice | undefined> => {
    const clientId = await ask(`Client id registered at ${serverLabel}`, {
      placeholder: 'the application / client id',
    });
    return clientId ? { clientId } : undefined;
  };
  if (!metadata || typeof metadata.registration_endpoint !== 'string') return byHand();
  const auto = {
    label: 'Register automatically',
    description: 'dynamic client registration (RFC 7591): nothing to set up at the server',
  };
  const manual = { label: 'Enter a client id', description: 'a client registered by hand at the server' };
  const pick = await notify.showQuickPick([auto, manual], {
    title: 'Add Identity Provider',
    placeHolder: `${metadata.issuer} offers dynamic client registration`,
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick === manual) return byHand();

  // The new entry sends loopback on any port; entries already naming this server share the registration.
  const redirectUris = registry.registrationRedirectUris(server);
  let initialAccessToken: string | undefined;
  for (;;) {
    try {
      const r = await notify.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Registering with ${metadata.issuer}…` },
        () =>
          engine.ensureRegisteredClient(registry.registrations, server, metadata, { redirectUris, initialAccessToken }),
      );
      return { registered: describeRegistration(metadata.issuer, r) };
    } catch (e) {
      const message = isAuthError(e) ? e.message : String((e as Error)?.message ?? e);
      if (initialAccessToken === undefined && hasReason(e, 'initial_access_token_required')) {
        initialAccessToken = await notify.showInputBox({
          title: 'Add Identity Provider',
          password: true,
          ignoreFocusOut: true,
          prompt: `${metadata.issuer} registers clients only with an initial access token (RFC 7591 §3) from its administrator. It is sent once, to the registration endpoint, and not stored.`,
        });
        if (!initialAccessToken) return undefined;
        continue;
      }
      const enter = 'Enter a Client Id';
      const a = await notify.showErrorMessage(
        `OAuth Accounts could not register with ${metadata.issuer}: ${message}`,
        { modal: true },
        enter,
      );
      return a === enter ? byHand() : undefined;
    }
  }
}

/** The wizard's last step: which path was taken, and whether the server made the client confidential. */
export function describeRegistration(issuer: string, r: EnsuredClient): string {
  const id = r.client.clientId;
  const path = r.registeredNow
    ? `OAuth Accounts registered itself at ${issuer} as the ${r.client.clientAuthentication ? '' : 'public '}client "${id}" (dynamic client registration). The client id is kept in VS Code's secret storage for this server and shared by all windows; it is registered again if the server forgets it.`
    : `Using the client "${id}" OAuth Accounts registered at ${issuer} earlier (dynamic client registration)${r.updatedNow ? '; its redirect URIs were updated at the server' : ''}.`;
  if (!r.client.clientAuthentication) return path;
  return `${path}\n\nThe server made it a confidential client: OAuth Accounts asked for a public client (PKCE, no secret), but ${issuer} issued a client secret and authenticates the client with ${r.client.clientAuthentication}. The secret is kept in VS Code's secret storage with this registration, bound to this server, and sent only to it; you do not need to set one.`;
}
