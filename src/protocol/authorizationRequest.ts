/**
 * The parameters of one authorization request (RFC 6749 §4.1.1 with PKCE, OIDC Core §3.1.2.1), as a pure function
 * of the entry, the server's metadata and this sign-in, so client.ts only generates the secrets and sends. No
 * `vscode` import.
 */
import type { ServerMetadata } from 'openid-client';
import type { ProviderConfig } from './config';

export interface AuthorizationRequest {
  readonly scopes: readonly string[];
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly state: string;
  readonly nonce?: string;
  readonly loginHint?: string;
  /** Signing in another account while one is signed in. */
  readonly selectAccount?: boolean;
}

/** The entry's own `authorizationParameters` first; ours (redirect, PKCE, state, nonce) always win over them. */
export function authorizationParameters(
  config: ProviderConfig,
  as: ServerMetadata,
  req: AuthorizationRequest,
): Record<string, string> {
  const params: Record<string, string> = {
    ...config.authorizationParameters,
    redirect_uri: req.redirectUri,
    code_challenge: req.codeChallenge,
    code_challenge_method: 'S256',
    state: req.state,
  };
  if (req.scopes.length) params.scope = req.scopes.join(' ');
  if (req.nonce) params.nonce = req.nonce;
  if (req.loginHint && !params.login_hint) params.login_hint = req.loginHint;
  if (!params.prompt) {
    const prompts: string[] = [];
    // Let the user pick another account, where the server knows the value and no login_hint names one already.
    if (
      req.selectAccount &&
      !params.login_hint &&
      Array.isArray(as.prompt_values_supported) &&
      as.prompt_values_supported.includes('select_account')
    )
      prompts.push('select_account');
    // OIDC Core §11: offline_access is only honoured with prompt=consent.
    if (req.scopes.includes('offline_access')) prompts.push('consent');
    if (prompts.length) params.prompt = prompts.join(' ');
  }
  return params;
}
