/**
 * The checks of a provider entry's structured fields (endpoints, scopes, authorization parameters, loopback ports,
 * resources), each a pure function of the value: the value to keep, or the field and what to change. config.ts
 * parseProvider runs them in order and reports the first problem. No `vscode` import.
 */
import type { ProviderEntry } from '../../api/oauth-accounts';
import { everyOf } from './constants';
import { plainText } from './plainText';
import { serverUrlProblem } from './urls';

export type EndpointOverrides = NonNullable<ProviderEntry['endpoints']>;
export const ENDPOINT_KEYS = everyOf<keyof EndpointOverrides>()([
  'authorization',
  'token',
  'userinfo',
  'revocation',
  'deviceAuthorization',
  'jwks',
]);

/** Parameters we set ourselves; letting settings override them would break PKCE, state or the redirect. */
const RESERVED_PARAMETERS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'response_mode',
  'request',
  'request_uri',
]);

/** What is wrong with a field: `field` is its path in the entry (`endpoints.token`). */
interface FieldProblem {
  readonly field: string;
  readonly message: string;
}
type Checked<T> = { readonly value: T } | FieldProblem;

export function checkEndpoints(v: unknown): Checked<EndpointOverrides> {
  const endpoints: EndpointOverrides = {};
  if (v === undefined) return { value: endpoints };
  if (!isObject(v)) return { field: 'endpoints', message: `must be an object, not ${typeOf(v)}.` };
  for (const [key, url] of Object.entries(v)) {
    const field = `endpoints.${key}`;
    if (!(ENDPOINT_KEYS as readonly string[]).includes(key))
      return { field, message: `is not a known endpoint (known: ${ENDPOINT_KEYS.join(', ')}).` };
    if (typeof url !== 'string') return { field, message: `must be a URL string, not ${typeOf(url)}.` };
    const problem = serverUrlProblem(url);
    if (problem) return { field, message: `${problem}.` };
    endpoints[key as keyof EndpointOverrides] = url;
  }
  return { value: endpoints };
}

export function checkScopes(v: unknown): Checked<string[] | undefined> {
  if (v === undefined) return { value: undefined };
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !s || /\s/.test(s)))
    return {
      field: 'scopes',
      message: 'must be a list of scope names without spaces, for example ["openid", "profile", "offline_access"].',
    };
  return { value: [...new Set(v as string[])] };
}

export function checkAuthorizationParameters(v: unknown): Checked<Record<string, string>> {
  const parameters: Record<string, string> = {};
  if (v === undefined) return { value: parameters };
  if (!isObject(v))
    return { field: 'authorizationParameters', message: `must be an object of strings, not ${typeOf(v)}.` };
  for (const [k, value] of Object.entries(v)) {
    const field = `authorizationParameters.${k}`;
    if (RESERVED_PARAMETERS.has(k))
      return { field, message: 'is set by OAuth Accounts itself and cannot be overridden.' };
    if (typeof value !== 'string') return { field, message: `must be a string, not ${typeOf(value)}.` };
    parameters[k] = value;
  }
  return { value: parameters };
}

export function checkLoopbackPorts(v: unknown): Checked<number[] | undefined> {
  if (v === undefined) return { value: undefined };
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    v.length > 20 ||
    v.some((p) => !Number.isInteger(p) || p < 1024 || p > 65535)
  )
    return {
      field: 'loopbackPorts',
      message:
        'must be a list of 1 to 20 port numbers between 1024 and 65535, registered at the identity provider as http://127.0.0.1:<port>/callback, for example [8400, 8401].',
    };
  return { value: [...new Set(v as number[])] };
}

/** RFC 8707 §2: absolute URIs without a fragment (here: URLs under the https rule). */
export function checkResources(v: unknown): Checked<string[] | undefined> {
  if (v === undefined) return { value: undefined };
  const bad = (message: string) => ({ field: 'resources', message });
  if (!Array.isArray(v) || v.length === 0 || v.length > 10 || v.some((r) => typeof r !== 'string'))
    return bad(
      'must be a list of 1 to 10 resource URLs (https://, no #fragment), for example ["https://api.example.com/"].',
    );
  for (const r of v as string[]) {
    const problem = serverUrlProblem(r);
    if (problem) return bad(`"${plainText(r, 200)}" ${problem}.`);
    if (r.includes('#')) return bad(`"${plainText(r, 200)}" must not contain a fragment (RFC 8707 §2).`);
  }
  return { value: [...new Set(v as string[])] };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a wrong value is named in a message: its kind, and a short look at a scalar. */
export function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
