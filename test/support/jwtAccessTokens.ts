/**
 * How a resource server checks the test AS's access tokens for it: RFC 9068-style JWTs (oidc-provider issues them
 * for a resource indicator, signed ES256) verified against the AS's JWKS — signature, issuer, audience = the resource,
 * expiry — with node:crypto only. Used by the test MCP server (mcpServer.ts).
 */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { TokenInfo, VerifyToken } from './mcpServer';

const b64json = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export function jwtVerifier(issuer: string, audience: string, now: () => number = Date.now): VerifyToken {
  let keys: Promise<Array<JsonWebKey & { kid?: string }>> | undefined;
  const jwks = () =>
    (keys ??= fetch(`${issuer}/jwks`).then(
      async (r) => ((await r.json()) as { keys: Array<JsonWebKey & { kid?: string }> }).keys,
    ));
  return async (token): Promise<TokenInfo | undefined> => {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = b64json(parts[0]);
      const claims = b64json(parts[1]);
      const jwk = (await jwks()).find((k) => k.kid === header.kid);
      if (!jwk || header.alg !== 'ES256') return undefined;
      const ok = verify(
        'sha256',
        Buffer.from(`${parts[0]}.${parts[1]}`),
        { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
        Buffer.from(parts[2], 'base64url'),
      );
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (
        !ok ||
        claims.iss !== issuer ||
        !aud.includes(audience) ||
        typeof claims.exp !== 'number' ||
        claims.exp * 1000 <= now()
      )
        return undefined;
      return { sub: String(claims.sub), scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : [] };
    } catch {
      return undefined;
    }
  };
}
