/** Scope lists compared as sets, never mutating the caller's array (github-authentication's sort() did). */

export function normalizeScopes(scopes: readonly string[] | undefined): string[] {
  return [...new Set((scopes ?? []).filter((s) => typeof s === 'string' && s.length > 0))].sort();
}

export function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const x = normalizeScopes(a);
  const y = normalizeScopes(b);
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

export function union(...lists: ReadonlyArray<readonly string[] | undefined>): string[] {
  return normalizeScopes(lists.flatMap((l) => l ?? []));
}

/**
 * Scopes to add when the configuration does not list any: the OpenID basics the server says it supports, so an
 * account gets a name and a refresh token without any setting.
 */
export function defaultScopes(scopesSupported: readonly string[] | undefined, isOpenId: boolean): string[] {
  const wanted = ['openid', 'profile', 'email', 'offline_access'];
  if (scopesSupported) return wanted.filter((s) => scopesSupported.includes(s));
  return isOpenId ? ['openid'] : [];
}
