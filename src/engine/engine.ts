/**
 * The engine: the protocol client (openid-client, the platform's fetch), the sign-in flows and the sign-in that runs
 * them — everything that talks OAuth, and nothing that talks to VS Code. It is a bundle of its own per host
 * (dist/engine.js, dist/web/engine.js; scripts/bundles.mjs), loaded on first use (the first sign-in, refresh,
 * revocation, lookup or registration) by vscode/loadNodeEngine.ts or web/loadEngine.ts. The activation bundle knows only
 * this module's types; what the two bundles share (the AuthError class, plain text rules, …) each has its own copy of,
 * and errors are recognised by a brand (protocol/errors.ts), not by `instanceof`.
 */
import type { ServerMetadata } from 'openid-client';
import type { ProviderConfig } from '../protocol/config';
import type { Flow } from '../flows/flow';
import type { BaseFetch } from '../protocol/http';
import { ProviderClient, type ClientDeps } from '../protocol/client';
import { createFetch } from '../protocol/http';
import { presetQuirks } from '../protocol/presetQuirks';
import { discoverProtectedResource, type DiscoverResourceOptions } from '../protocol/resourceMetadata';
import type { RegistrationRequest } from '../protocol/registration';
import type { ServerLocation } from '../sessions/serverBinding';
import type { RegistrationStore } from '../sessions/registrationStore';
import { ensureRegisteredClient } from './registerClient';
import { discoverIssuer, lookUpServerUrl } from './serverLookup';
import { signIn, type SignInDeps, type SignInRequest } from './signIn';

interface EnginePlatform {
  readonly fetch: BaseFetch;
  /** The flows this build ships (flows/node.ts, flows/web.ts), in order of preference. */
  readonly flows: readonly Flow[];
}

export function engineFor(platform: EnginePlatform) {
  /** A protocol client for `config`, with its preset's quirks and this build's fetch. */
  const createClient = (config: ProviderConfig, deps: Omit<ClientDeps, 'fetch' | 'quirks'>) =>
    new ProviderClient(config, { ...deps, fetch: platform.fetch, quirks: presetQuirks(config) });
  const registered = (
    store: RegistrationStore,
    server: ServerLocation,
    metadata: ServerMetadata,
    req: RegistrationRequest,
  ) => ensureRegisteredClient(store, server, metadata, req, createFetch(platform.fetch));
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
      return (await registered(store, config, await client.serverMetadata(), { redirectUris })).client;
    },
    /** The wizards' steps that talk to servers (engine/serverLookup.ts, engine/registerClient.ts). */
    ensureRegisteredClient: registered,
    discoverIssuer: (issuer: string, signal?: AbortSignal) => discoverIssuer(issuer, platform.fetch, signal),
    lookUpServerUrl: (url: string, signal?: AbortSignal) => lookUpServerUrl(url, platform.fetch, signal),
    discoverProtectedResource: (url: string, o: DiscoverResourceOptions & { timeoutMs?: number } = {}) =>
      discoverProtectedResource(url, createFetch(platform.fetch, { timeoutMs: o.timeoutMs, signal: o.signal }), o),
  };
}

/** `startMcpBridge`: the MCP bridge (node/mcpBridge.ts), in the Node engine only: a web worker cannot listen. */
export type Engine = ReturnType<typeof engineFor> & {
  readonly startMcpBridge?: typeof import('../node/mcpBridge').startMcpBridge;
};
