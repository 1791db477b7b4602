/**
 * The engine: everything that is not needed to register providers and answer getSessions from memory — the
 * protocol client (openid-client, the platform's fetch), the flows, the interactive sign-in, dynamic client
 * registration, the Add Identity Provider wizard, the token tools and the palette commands' dialogs. It is a separate bundle (dist/engine.js,
 * dist/web/engine.js, see scripts/bundles.mjs) loaded on first use: the first sign-in, refresh, revocation, wizard
 * or token tool. The activation bundle only knows its type.
 *
 * Modules both bundles use (errors, log, notify, the registry, …) are not copied into this one: the build points
 * its imports of them at the activation bundle's instances (engineBundle.ts), so there is one AuthError class and one
 * registry, and the build fails if a source file ends up in both bundles.
 */
import type { ProviderConfig } from '../protocol/config';
import type { Flow } from '../flows/flow';
import type { BaseFetch } from '../protocol/http';
import { ProviderClient, type ClientDeps } from '../protocol/client';
import { createFetch } from '../protocol/http';
import { presetQuirks } from '../protocol/presetQuirks';
import { ensureRegisteredClient } from './registerClient';
import type { RegistrationStore } from '../sessions/registrationStore';
import { addProviderCommand } from '../vscode/wizard/addProvider';
import { signIn, type SignInDeps, type SignInRequest } from '../vscode/signIn';
import { copyAccessToken, showTokenDetails } from '../vscode/tokenCommands';
import { setClientSecretCommand, signInCommand, signOutCommand } from '../vscode/paletteCommands';
import type { ProviderRegistry } from '../vscode/providerRegistry';
import type { McpEngine } from './nodeMcp';

export interface EnginePlatform {
  readonly fetch: BaseFetch;
  /** The flows this build ships (flows/node.ts, flows/web.ts), in order of preference. */
  readonly flows: readonly Flow[];
}

export function engineFor(platform: EnginePlatform) {
  /** A protocol client for `config`, with its preset's quirks and this build's fetch. */
  const createClient = (config: ProviderConfig, deps: Omit<ClientDeps, 'fetch' | 'quirks'>) =>
    new ProviderClient(config, { ...deps, fetch: platform.fetch, quirks: presetQuirks(config) });
  return {
    flows: platform.flows,
    createClient,
    signIn: (deps: Omit<SignInDeps, 'flows'>, scopes: readonly string[], request: SignInRequest) =>
      signIn({ ...deps, flows: platform.flows }, scopes, request),
    /**
     * The client registered for an entry without clientId: the stored one for its server, updated (RFC 7592) or
     * registered anew when it was made for other redirect URIs, else a new registration.
     */
    registeredClient: async (config: ProviderConfig, store: RegistrationStore, redirectUris: string[]) => {
      const client = createClient(config, { getClientSecret: async () => undefined });
      return (await ensureRegisteredClient(store, config, await client.serverMetadata(), { redirectUris }, createFetch(platform.fetch))).client;
    },
    addProvider: (registry: ProviderRegistry) => addProviderCommand(registry, platform.fetch, platform.flows),
    copyAccessToken,
    showTokenDetails,
    signInCommand,
    signOutCommand,
    setClientSecretCommand,
  };
}

/** `mcp`: the MCP bridge and its commands, in the Node engine only (engine/node.ts, engine/nodeMcp.ts). */
export type Engine = ReturnType<typeof engineFor> & { readonly mcp?: McpEngine };
