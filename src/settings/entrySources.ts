/**
 * Which entries become providers, from the three places they come from: managed files (the organisation's; they
 * come first and cannot be replaced), the user setting, and other extensions through the API — under the
 * organisation's rules (orgRules.ts). Every entry that is left out is a problem naming its source and the reason.
 * No `vscode` import.
 */
import { describeProblem, resolveIds, type ParsedEntry, type ProviderConfig } from '../protocol/config';
import type { Managed } from './managedProviders';
import { serverRefused, type OrgRules } from './orgRules';

export type ProviderSource = 'managed' | 'settings' | 'api';

interface ResolvedSources {
  readonly managed: ProviderConfig[];
  readonly user: ProviderConfig[];
  readonly problems: string[];
}

/**
 * `takenIds`: ids that exist outside our lists (VS Code's built-ins, other extensions' contributed providers);
 * `apiIds`: providers registered through our API, which a user entry cannot take but a managed one replaces.
 */
export function resolveSources(
  managed: Managed,
  user: readonly ParsedEntry[],
  takenIds: ReadonlySet<string>,
  apiIds: ReadonlySet<string> = new Set(),
): ResolvedSources {
  const problems = [...managed.problems];
  const { rules } = managed;

  // Managed entries: unique among themselves and not taken elsewhere; the rules apply to them too.
  const managedConfigs: ProviderConfig[] = [];
  const seen = new Set<string>();
  managed.entries.forEach(({ source, parsed }) => {
    if ('problem' in parsed) {
      problems.push(`${source}: ${describeProblem(parsed.problem).replace(/ in oauthAccounts\.providers\[\d+\]/, '')}`);
      return;
    }
    const { config } = parsed;
    const why = seen.has(config.id)
      ? 'its id is used by an earlier managed entry'
      : takenIds.has(config.id)
        ? 'its id is already used by another authentication provider in VS Code'
        : serverRefused(config, rules);
    if (why) {
      problems.push(`${source}: provider "${config.id}" is not available: ${why}.`);
      return;
    }
    seen.add(config.id);
    managedConfigs.push(config);
  });

  // The user's entries: not at all when the organisation switched manual providers off; never a managed id.
  if (rules.manualProvidersDisabledBy.length) {
    if (user.length)
      problems.push(
        `the providers in your user settings are not used: your organisation has switched adding providers by hand off (${rules.manualProvidersDisabledBy.join(', ')}).`,
      );
    return { managed: managedConfigs, user: [], problems };
  }
  const mine = user.map((p, index): ParsedEntry => {
    if ('problem' in p || !seen.has(p.config.id)) return p;
    return {
      problem: {
        index,
        providerId: p.config.id,
        field: 'id',
        message: 'is the id of a provider your organisation manages; choose a different id.',
      },
    };
  });
  const resolved = resolveIds(mine, new Set([...takenIds, ...apiIds]));
  for (const p of resolved.problems) problems.push(describeProblem(p));
  const allowed = resolved.providers.filter((config) => {
    const why = serverRefused(config, rules);
    if (why) problems.push(`provider "${config.id}" in your user settings is not used: ${why}.`);
    return !why;
  });
  return { managed: managedConfigs, user: allowed, problems };
}

/** Why an entry from another extension (the API) may not be registered under `rules`, or undefined. */
export function apiEntryRefused(config: ProviderConfig, rules: OrgRules): string | undefined {
  if (rules.manualProvidersDisabledBy.length)
    return `your organisation has switched adding providers off (${rules.manualProvidersDisabledBy.join(', ')})`;
  return serverRefused(config, rules);
}
