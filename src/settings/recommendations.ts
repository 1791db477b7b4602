/**
 * Providers a workspace (or a dev container's settings) recommends in `oauthAccounts.recommendedProviders`. A
 * recommendation is never used as it is: the user is asked once, in a trusted workspace, and only an accepted entry is
 * copied into the user setting. Here: what each recommendation is relative to what the user already has. No `vscode`
 * import: unit-tested on plain Node.
 */
import { configKey, parseProvider, type ProviderConfig } from '../protocol/config';
import { serverRefused, type OrgRules } from './orgRules';
import { bindingKey, bindingOf } from '../sessions/serverBinding';

export const RECOMMENDED_SETTING = 'oauthAccounts.recommendedProviders';

type RecommendationStatus =
  /** Not in the user's settings yet: may be offered. */
  | { readonly kind: 'new'; readonly config: ProviderConfig }
  /** The user has an entry with this id for the same server and client already: nothing to do. */
  | { readonly kind: 'added' }
  /** Cannot be added, and is shown with the reason: invalid, its id is taken elsewhere, or the rules forbid it. */
  | { readonly kind: 'unusable'; readonly why: string };

export interface Recommendation {
  /** The entry as the workspace wrote it (what would be copied into the user setting). */
  readonly entry: unknown;
  readonly id?: string;
  readonly label?: string;
  /** Identifies this recommendation as written: a changed recommendation is a new question. */
  readonly key: string;
  readonly status: RecommendationStatus;
}

interface RecommendationContext {
  /** The user's own entries, as validated from the user setting. */
  readonly userEntries: readonly ProviderConfig[];
  /** Ids taken by something other than the user's entries, with who took them ("your organisation", …). */
  readonly takenIds: ReadonlyMap<string, string>;
  readonly rules: OrgRules;
}

export function classifyRecommendations(raw: unknown, ctx: RecommendationContext): Recommendation[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry) => {
    const parsed = parseProvider(entry);
    const id = typeof (entry as { id?: unknown })?.id === 'string' ? (entry as { id: string }).id : undefined;
    const label =
      typeof (entry as { label?: unknown })?.label === 'string' ? (entry as { label: string }).label : undefined;
    const key = 'config' in parsed ? configKey(parsed.config) : (JSON.stringify(entry) ?? 'null');
    return { entry, id, label, key, status: statusOf(parsed, ctx, entry) };
  });
}

/** A recommendation is shown whole in the question, so it may not be longer than a person can read there. */
export const MAX_RECOMMENDATION_LENGTH = 3000;

function statusOf(
  parsed: ReturnType<typeof parseProvider>,
  ctx: RecommendationContext,
  entry: unknown,
): RecommendationStatus {
  if ('problem' in parsed)
    return {
      kind: 'unusable',
      why: `it is not a valid provider entry: "${parsed.problem.field}" ${parsed.problem.message}`,
    };
  if (JSON.stringify(entry, null, 2).length > MAX_RECOMMENDATION_LENGTH)
    return {
      kind: 'unusable',
      why: `it is longer than ${MAX_RECOMMENDATION_LENGTH} characters, too long to show you whole`,
    };
  const config = parsed.config;
  if (ctx.rules.manualProvidersDisabledBy.length)
    return {
      kind: 'unusable',
      why: `your organisation has switched adding providers off (${ctx.rules.manualProvidersDisabledBy.join(', ')})`,
    };
  const refused = serverRefused(config, ctx.rules);
  if (refused) return { kind: 'unusable', why: refused };
  const owner = ctx.takenIds.get(config.id);
  if (owner) return { kind: 'unusable', why: `the id "${config.id}" is already used by ${owner}` };
  const mine = ctx.userEntries.find((c) => c.id === config.id);
  if (!mine) return { kind: 'new', config };
  // Same id: only an entry for the same server and client counts as added; anything else is never replaced.
  if (bindingKey(bindingOf(mine)) === bindingKey(bindingOf(config))) return { kind: 'added' };
  return {
    kind: 'unusable',
    why: `your entry "${config.id}" names another server or client; a recommendation never replaces it`,
  };
}
