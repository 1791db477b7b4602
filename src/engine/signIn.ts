/**
 * The interactive sign-in: pick the usable flows from the table, run them in order inside one cancellable progress
 * notification with a 5-minute timeout for the redirect flows, and ask "try a different way?" when a flow times out
 * or cannot work. The notification and the question are the caller's (SignInUi, vscode/ui.ts): no `vscode` here.
 */
import type { ProviderConfig } from '../protocol/config';
import {
  isDiscouraged,
  selectFlows,
  whyUnavailable,
  type Flow,
  type FlowQuery,
  type FlowUi,
  type ExtensionHostKind,
} from '../flows/flow';
import type { Logger } from '../protocol/log';
import type { ProviderClient, SignInResult } from '../protocol/client';
import { AuthError, isAuthError } from '../protocol/errors';
import { toAuthError } from '../protocol/libraryErrors';
import { accountIdentifiers } from '../settings/orgRules';
import { presetQuirks } from '../protocol/presetQuirks';

export const SIGN_IN_TIMEOUT_MS = 5 * 60_000;

export interface SignInDeps {
  readonly config: ProviderConfig;
  readonly client: ProviderClient;
  /** The flows this build ships, in order of preference. */
  readonly flows: readonly Flow[];
  readonly ui: FlowUi & SignInUi;
  readonly host: () => ExtensionHostKind;
  readonly log: Logger;
  readonly timeoutMs?: number;
  /** oauthAccounts.preferDeviceCode, read at each sign-in. */
  readonly preferDeviceCode?: () => boolean;
  /** Why the organisation's rules refuse an account with these identifiers (orgRules.ts), or undefined. */
  readonly accountRefused?: (identifiers: readonly string[]) => string | undefined;
}

/** What the sign-in shows around the flows. */
export interface SignInUi {
  /** One cancellable progress notification for the whole sign-in; `report` adds a line, `cancelled` aborts. */
  withProgress<R>(
    title: string,
    task: (report: (message: string) => void, cancelled: AbortSignal) => Promise<R>,
  ): Promise<R>;
  /** "Having trouble signing in? Try a different way (<label>)?": true to go on with that flow. */
  offerNextFlow(label: string): Promise<boolean>;
}

export interface SignInRequest {
  /** The account VS Code asks for (`getSession(…, { account })`): its label becomes the login hint. */
  readonly account?: { readonly id: string; readonly label: string };
  readonly selectAccount?: boolean;
}

export async function signIn(
  deps: SignInDeps,
  scopes: readonly string[],
  { account, selectAccount }: SignInRequest = {},
): Promise<SignInResult> {
  const { config, client, log } = deps;
  const metadata = await client.serverMetadata().catch((e) => {
    throw toAuthError(e, 'Discovery');
  });
  const query: FlowQuery = {
    host: deps.host(),
    setting: config.flow,
    serverHasDeviceEndpoint: !!metadata.device_authorization_endpoint,
    serverHasAuthorizationEndpoint: !!metadata.authorization_endpoint,
    preferDeviceCode: deps.preferDeviceCode?.() ?? false,
    flows: deps.flows,
  };
  const order = selectFlows(query);
  if (order.length === 0) throw new AuthError('flow_unavailable', whyUnavailable(query));
  log.info(`sign-in flows for a ${query.host} extension host: ${order.join(' → ')}`);
  const forced = deps.flows.find((f) => f.id === config.flow);
  if (forced && isDiscouraged(forced, query.host)) {
    log.warn(`"flow": "${config.flow}" is forced although it usually cannot work in a ${query.host} extension host`);
  }

  return deps.ui.withProgress(`Signing in to ${config.label}…`, async (report, cancelled) => {
    for (let i = 0; i < order.length; i++) {
      const flow = deps.flows.find((f) => f.id === order[i])!;
      if (i > 0 && !(await deps.ui.offerNextFlow(flow.label))) throw new AuthError('cancelled', 'Sign-in cancelled.');
      const controller = new AbortController();
      const limitMs = deps.timeoutMs ?? SIGN_IN_TIMEOUT_MS;
      const limit =
        limitMs >= 120_000 ? `${Math.round(limitMs / 60_000)} minutes` : `${Math.round(limitMs / 1000)} seconds`;
      const timeout = flow.capabilities.serverDeadline
        ? undefined
        : setTimeout(
            () => controller.abort(new AuthError('timeout', `No answer from the browser within ${limit}.`)),
            limitMs,
          );
      const onCancel = () => controller.abort(new AuthError('cancelled', 'Sign-in cancelled.'));
      cancelled.addEventListener('abort', onCancel, { once: true });
      try {
        log.info(`starting the ${flow.id} flow`);
        // The allowed-accounts check, run by the flow before its browser page says "signed in", else here.
        let accepted: SignInResult | undefined;
        let vouchedNames: readonly string[] | undefined;
        const accept = async (r: SignInResult) => {
          vouchedNames = await refuseAccount(deps, r, controller.signal);
          accepted = r;
        };
        const result = await flow.run({
          client,
          requestedScopes: scopes,
          loginHint: account?.label,
          selectAccount,
          ui: deps.ui,
          signal: controller.signal,
          progress: report,
          accept,
        });
        if (accepted !== result) await accept(result);
        return { ...result, vouchedNames };
      } catch (e) {
        const err = isAuthError(e) ? e : toAuthError(e, 'Sign-in');
        log.warn(
          `the ${flow.id} flow ended: ${err.code}${err.details.oauthError ? ` (${err.details.oauthError})` : ''}`,
        );
        const worthAnotherWay = err.code === 'timeout' || err.code === 'flow_unavailable';
        if (!worthAnotherWay || i === order.length - 1) throw err;
      } finally {
        clearTimeout(timeout);
        cancelled.removeEventListener('abort', onCancel);
      }
    }
    throw new AuthError('flow_unavailable', 'No sign-in method worked.');
  });
}

/**
 * The organisation's allowed accounts (orgRules.ts), checked once the server has said who signed in: against the
 * naming claims it vouches for in the ID token and in userinfo (each read on its own: an e-mail from one and
 * `email_verified` from the other prove nothing). A refused account's tokens are revoked at once and never stored;
 * so are they when the check itself cannot be made. The error says why. Resolves to the names, kept with the session
 * so that rules added later are checked against what the server vouched for — userinfo is read at every sign-in for
 * that (the answer the sign-in already has is reused) — or undefined when they are unknown (userinfo failed and the
 * ID token names nobody).
 */
async function refuseAccount(
  deps: SignInDeps,
  result: SignInResult,
  signal: AbortSignal,
): Promise<readonly string[] | undefined> {
  const o = {
    labelFromServerApi: presetQuirks(deps.config).some((q) => q.account),
    directoryUsernames: deps.config.preset === 'entra',
  };
  const fromIdToken = accountIdentifiers(result.account.label, result.tokens.idClaims as Record<string, unknown>, o);
  let names: readonly string[] | undefined = fromIdToken;
  let refused: string | undefined;
  try {
    let userinfo = result.userinfo;
    let failed = false;
    // A preset that names the account through its server's own API (GitHub) has no OpenID userinfo to ask.
    if (!userinfo && !o.labelFromServerApi && (await deps.client.serverMetadata(signal)).userinfo_endpoint)
      userinfo = await deps.client
        .userinfo(result.tokens.accessToken, result.tokens.idClaims?.sub, signal)
        .catch(() => void (failed = true));
    if (userinfo) names = [...new Set([...fromIdToken, ...accountIdentifiers(result.account.label, userinfo, o)])];
    else if (failed && !fromIdToken.length) names = undefined; // userinfo was the only source, and it failed
    refused = deps.accountRefused?.(names ?? []);
  } catch (e) {
    if (!fromIdToken.length) names = undefined;
    refused = deps.accountRefused
      ? `the account could not be checked against your organisation's rules (${(e as Error)?.message ?? e})`
      : undefined; // no rule to check: the names are only kept for later ones
  }
  if (!refused) return names;
  deps.log.warn(
    `signed in as ${result.account.label}, which the organisation's rules refuse; the tokens are revoked and not kept`,
  );
  for (const [token, hint] of [
    [result.tokens.refreshToken, 'refresh_token'],
    [result.tokens.accessToken, 'access_token'],
  ] as const) {
    if (token) await deps.client.revoke(token, hint).catch(() => false);
  }
  throw new AuthError(
    'config',
    `Signed in to ${deps.config.label} as ${result.account.label}, but ${refused}. The session was not kept: sign in with an allowed account.`,
  );
}
