/**
 * One identity provider's protocol steps, one method per step over openid-client (the code exchange on the
 * oauth4webapi functions it is built on: codeExchange.ts says why). Nothing here imports `vscode`; nothing here
 * remembers a sign-in in progress: the caller holds the PendingAuthorization and passes it back.
 */
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import type { ProviderConfig } from './config';
import { accountFrom } from './account';
import { discoverMetadata } from './discovery';
import { hasTenantIssuer, tenantAwareConfiguration } from './tenantIssuer';
import { AuthError } from './errors';
import { isLibraryError, toAuthError } from './libraryErrors';
import { createFetch } from './http';
import { defaultScopes, union } from './scopes';
import { combineQuirks, type QuirkContext, type Quirks } from './quirks';
import { fromTokenResponse, type IdTokenClaims, type TokenSet } from './tokens';
import { isHttpUrl } from './urls';
import { authorizationParameters } from './authorizationRequest';
import { deviceAuthorizationFrom } from './deviceAuthorization';
import { checkIssuedAt, checkSameIdentity } from './idTokenChecks';
import { exchangeCode, validateCallback } from './codeExchange';
import { usePushedAuthorization, withResources } from './requestParams';
import { untilExpiry } from './deviceDeadline';
import type { ClientDeps, DeviceAuthorization, PendingAuthorization, SignInResult } from './clientTypes';

export type { ClientDeps, DeviceAuthorization, PendingAuthorization, SignInResult } from './clientTypes';

export class ProviderClient {
  private metadata?: Promise<client.ServerMetadata>;
  private readonly jwksCache: oauth.JWKSCacheInput = {};
  /** The IdP's quirks, as the caller gave them (all implemented in protocol/quirks.ts). */
  private readonly quirks: Quirks;

  constructor(
    readonly config: ProviderConfig,
    private readonly deps: ClientDeps,
  ) {
    this.quirks = combineQuirks(deps.quirks ?? []);
  }

  private async quirkContext(signal?: AbortSignal): Promise<QuirkContext> {
    return {
      config: this.config,
      metadata: await this.serverMetadata(signal),
      fetch: this.fetchFor(signal),
      getClientSecret: this.deps.getClientSecret,
    };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private fetchFor(signal?: AbortSignal) {
    return this.quirks.wrapFetch(
      createFetch(this.deps.fetch, { signal, log: this.deps.log, timeoutMs: this.deps.timeoutMs }),
    );
  }

  /**
   * Whether openid-client may be asked to make plain-http requests at all: only when the configuration or the
   * metadata names an http URL, each of which has passed the per-URL rule (loopback hosts only) in settings
   * validation or in discovery. It is no longer the rule itself: one loopback URL does not make a remote http
   * endpoint acceptable, because createFetch (http.ts) checks every request's own URL.
   */
  private insecure(as?: client.ServerMetadata): boolean {
    const c = this.config;
    const urls = [c.issuer, c.discoveryUrl, ...Object.values(c.endpoints), ...(as ? Object.values(as) : [])];
    return urls.some((u) => typeof u === 'string' && isHttpUrl(u));
  }

  /** Server metadata, discovered once per provider (a failed discovery is retried next time). */
  serverMetadata(signal?: AbortSignal): Promise<client.ServerMetadata> {
    if (!this.metadata) {
      this.metadata = discoverMetadata(this.config, this.fetchFor(signal), this.insecure());
      this.metadata.catch(() => {
        this.metadata = undefined;
      });
    }
    return this.metadata;
  }

  private async clientAuth(): Promise<oauth.ClientAuth> {
    const method = this.config.clientAuthentication;
    if (method === 'none') return oauth.None();
    const secret = await this.deps.getClientSecret();
    if (!secret) {
      throw new AuthError(
        'config',
        `Provider "${this.config.id}" uses ${method} but no client secret is stored. Run "OAuth Accounts: Set Client Secret..." (or see the README) and try again.`,
      );
    }
    return method === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
  }

  /** `deviceFlow`: the device authorization and polling requests, public for servers with that quirk. */
  private async configuration(signal?: AbortSignal, { deviceFlow = false } = {}): Promise<client.Configuration> {
    const as = await this.serverMetadata(signal);
    const auth = deviceFlow && this.quirks.publicDeviceFlow ? oauth.None() : await this.clientAuth();
    const cfg =
      hasTenantIssuer(as) && this.config.issuer
        ? await tenantAwareConfiguration(this.config.issuer, as, this.config.clientId, auth)
        : new client.Configuration(as, this.config.clientId, undefined, auth);
    cfg[client.customFetch] = this.fetchFor(signal);
    if (this.insecure(as)) client.allowInsecureRequests(cfg);
    if (as.jwks_uri) {
      client.enableNonRepudiationChecks(cfg);
      client.setJwksCache(cfg, this.jwksCache as oauth.ExportedJWKSCache);
    }
    return cfg;
  }

  /** Scopes sent to the server: what the caller asked for ∪ the configured (or sensible default) scopes. */
  async scopesToRequest(requested: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const as = await this.serverMetadata(signal);
    const isOpenId = !!this.config.issuer && (as.scopes_supported?.includes('openid') ?? !!as.userinfo_endpoint);
    return union(requested, this.config.scopes ?? defaultScopes(as.scopes_supported, isOpenId));
  }

  /** Step 1: the authorization URL with PKCE S256, a one-time state and (for OpenID) nonce. */
  async beginAuthorization(opts: {
    requestedScopes: readonly string[];
    redirectUri: string;
    loginHint?: string;
    selectAccount?: boolean;
    signal?: AbortSignal;
  }): Promise<PendingAuthorization> {
    const as = await this.serverMetadata(opts.signal);
    const scopes = await this.scopesToRequest(opts.requestedScopes, opts.signal);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = scopes.includes('openid') ? client.randomNonce() : undefined;
    const params = authorizationParameters(this.config, as, {
      scopes,
      redirectUri: opts.redirectUri,
      codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
      state,
      nonce,
      loginHint: opts.loginHint,
      selectAccount: opts.selectAccount,
    });
    let url: string;
    if (usePushedAuthorization(this.config, as)) {
      // RFC 9126: the parameters go to the server directly (client-authenticated), the browser gets a request_uri.
      try {
        url = (
          await client.buildAuthorizationUrlWithPAR(
            await this.configuration(opts.signal),
            withResources(this.config, params),
          )
        ).href;
      } catch (e) {
        throw toAuthError(e, 'The pushed authorization request');
      }
    } else {
      const cfg = new client.Configuration(as, this.config.clientId);
      if (this.insecure(as)) client.allowInsecureRequests(cfg);
      url = client.buildAuthorizationUrl(cfg, withResources(this.config, params)).href;
    }
    return { url, state, nonce, codeVerifier, redirectUri: opts.redirectUri, scopes };
  }

  /**
   * Step 2: validate the callback (state, RFC 9207 iss, error) and exchange the code. The ID token's signature and
   * claims (iss, aud, azp, exp, iat, nonce) are checked by the library; the account comes from the ID token, then
   * userinfo.
   */
  async completeAuthorization(
    pending: PendingAuthorization,
    callback: URLSearchParams,
    signal?: AbortSignal,
  ): Promise<SignInResult> {
    const as = await this.serverMetadata(signal);
    const params = validateCallback(as, this.config.clientId, callback, pending.state);
    const { tokens, idClaims } = await exchangeCode(as, this.config.clientId, params, pending, {
      clientAuth: () => this.clientAuth(),
      fetch: this.fetchFor(signal),
      insecure: this.insecure(as),
      jwksCache: this.jwksCache,
      additionalParameters: withResources(this.config),
      requireIdToken: pending.nonce !== undefined && !!this.config.issuer,
      signal,
    });
    checkIssuedAt(idClaims, this.now());
    const tokenSet = fromTokenResponse(tokens as Parameters<typeof fromTokenResponse>[0], idClaims, this.now());
    return { tokens: tokenSet, ...(await this.account(tokenSet, signal)), requestedScopes: pending.scopes };
  }

  /**
   * RFC 8628 step 1: ask the device authorization endpoint for a user code. The verification URIs come from the
   * server and are opened in the browser, so they must be https (http only for a loopback server, like every URL).
   */
  async startDeviceAuthorization(
    requestedScopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<DeviceAuthorization> {
    const as = await this.serverMetadata(signal);
    if (!as.device_authorization_endpoint) {
      throw new AuthError(
        'flow_unavailable',
        `${this.config.label} has no device authorization endpoint; set "endpoints.deviceAuthorization" or choose another flow.`,
      );
    }
    const scopes = await this.scopesToRequest(requestedScopes, signal);
    const params: Record<string, string> = { ...this.config.authorizationParameters };
    if (scopes.length) params.scope = scopes.join(' ');
    let response: oauth.DeviceAuthorizationResponse;
    try {
      response = await client.initiateDeviceAuthorization(
        await this.configuration(signal, { deviceFlow: true }),
        withResources(this.config, params),
      );
    } catch (e) {
      throw toAuthError(e, 'The device authorization request');
    }
    return deviceAuthorizationFrom(response, scopes, this.now());
  }

  /**
   * RFC 8628 step 2: poll the token endpoint until the user has entered the code. openid-client honours `interval`,
   * `authorization_pending` and `slow_down` (+5 s); polling stops at `expires_in`, and at once when `signal` aborts
   * (its reason is thrown). The ID token is validated like the code flow's; the account comes from it, then userinfo.
   */
  async pollDeviceAuthorization(handle: DeviceAuthorization, signal?: AbortSignal): Promise<SignInResult> {
    return untilExpiry(handle.expiresAt - this.now(), signal, async (polling, reason) => {
      const cfg = await this.configuration(polling, { deviceFlow: true });
      let res: Awaited<ReturnType<typeof client.pollDeviceAuthorizationGrant>>;
      try {
        res = await client.pollDeviceAuthorizationGrant(cfg, handle.response, withResources(this.config), {
          signal: polling,
        });
      } catch (e) {
        throw polling.aborted ? reason() : toAuthError(e, 'The device sign-in');
      }
      const claims = res.claims() as IdTokenClaims | undefined;
      checkIssuedAt(claims, this.now());
      const tokenSet = fromTokenResponse(res as Parameters<typeof fromTokenResponse>[0], claims, this.now());
      return { tokens: tokenSet, ...(await this.account(tokenSet, signal)), requestedScopes: handle.scopes };
    });
  }

  /** Account from the ID token, completed by userinfo when the ID token lacks a readable name (returned too). */
  async account(tokens: TokenSet, signal?: AbortSignal): Promise<Pick<SignInResult, 'account' | 'userinfo'>> {
    if (this.quirks.account) return { account: await this.quirks.account(await this.quirkContext(signal), tokens) };
    const as = await this.serverMetadata(signal);
    const idClaims = tokens.idClaims as Record<string, unknown> | undefined;
    const labelClaims = [this.config.accountLabelClaim, 'preferred_username', 'email', 'name'].filter(
      Boolean,
    ) as string[];
    let userinfo: Record<string, unknown> | undefined;
    if (as.userinfo_endpoint && !labelClaims.some((k) => typeof idClaims?.[k] === 'string')) {
      userinfo = await this.userinfo(tokens.accessToken, tokens.idClaims?.sub, signal);
    }
    const raw = tokens as unknown as Record<string, unknown>;
    const label = `${this.config.label} account`;
    return {
      account: accountFrom(as.issuer, [idClaims, userinfo, raw], this.config.accountLabelClaim, label),
      userinfo,
    };
  }

  /** userinfo; a `sub` different from the ID token's is an attack or a bug and fails the sign-in. */
  async userinfo(
    accessToken: string,
    expectedSub: string | undefined,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const cfg = await this.configuration(signal);
      return await client.fetchUserInfo(cfg, accessToken, expectedSub ?? client.skipSubjectCheck);
    } catch (e) {
      const mapped = toAuthError(e, 'The userinfo request');
      if (isLibraryError(e, oauth.JSON_ATTRIBUTE_COMPARISON)) {
        throw new AuthError(
          'invalid_response',
          'The userinfo response is for a different user (its "sub" differs from the ID token\'s). The sign-in was rejected.',
          { cause: e },
        );
      }
      if (mapped.code === 'config') throw mapped;
      this.deps.log?.(`userinfo unavailable (${mapped.code}); using the ID token alone`);
      return undefined;
    }
  }

  /** refresh_token grant; a refreshed ID token must name the same user and client (idTokenChecks.ts). */
  async refresh(previous: TokenSet, signal?: AbortSignal): Promise<TokenSet> {
    if (!previous.refreshToken) throw new AuthError('invalid_grant', 'The session has no refresh token.');
    let res: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      res = await client.refreshTokenGrant(
        await this.configuration(signal),
        previous.refreshToken,
        withResources(this.config),
      );
    } catch (e) {
      throw toAuthError(e, 'The token refresh');
    }
    const claims = res.claims() as IdTokenClaims | undefined;
    checkIssuedAt(claims, this.now());
    checkSameIdentity(previous.idClaims, claims);
    return fromTokenResponse(res as Parameters<typeof fromTokenResponse>[0], claims, this.now(), previous);
  }

  /** RFC 7009 revocation, when the server has an endpoint (discovered or configured). Returns false without one. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token', signal?: AbortSignal): Promise<boolean> {
    try {
      if (this.quirks.revoke) return await this.quirks.revoke(await this.quirkContext(signal), token, hint);
      const as = await this.serverMetadata(signal);
      if (!as.revocation_endpoint) return false;
      await client.tokenRevocation(await this.configuration(signal), token, { token_type_hint: hint });
      return true;
    } catch (e) {
      // Everything, discovery included, leaves as an AuthError: the session layer maps nothing (errors.ts).
      throw toAuthError(e, 'The token revocation');
    }
  }
}
