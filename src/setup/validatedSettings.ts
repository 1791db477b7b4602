/**
 * The setting's entries, validated once per value. In a cold extension host validating is the largest part of
 * activate() (the validator runs, and is compiled, for the first time: about 1.7 ms of 5.8 with 10 entries, see
 * CONTRIBUTING's performance table), and the setting rarely changes between starts. So the result is kept in the
 * extension's globalState — already in memory when activate() runs, so reading it is no I/O — under the exact
 * setting value and the build that validated it; any other value or build validates afresh. Only what depends on
 * the value alone is kept: the id checks (unique, not taken by VS Code or another extension) run on every start.
 * Pure (no `vscode` import).
 */
import { validateEntries, type Parsed } from './config';

/** The part of a vscode.Memento used here. */
export interface StateStore {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const VALIDATED_SETTINGS_KEY = 'validatedSettings';

interface Kept {
  /** The build that validated (scripts/bundles.mjs): a new build never trusts an older validator's verdict. */
  readonly build: string;
  /** The setting's value as JSON: the result is reused for exactly this value. */
  readonly value: string;
  readonly entries: Parsed[];
}

export class ValidatedSettings {
  /**
   * `build` undefined (code not bundled, as in unit tests that load src/ directly): nothing is kept or reused.
   * `onSaveFailed` hears why keeping a result failed; the next start then validates again, nothing else is lost.
   */
  constructor(
    private readonly state: StateStore,
    private readonly build: string | undefined,
    private readonly onSaveFailed: (message: string) => void,
  ) {}

  /**
   * What validateEntries(raw) returns: from the kept result when it is for this exact value and this build. The
   * configs returned are shared with globalState's copy in memory: like every ProviderConfig, they are never changed.
   */
  entries(raw: unknown): Parsed[] {
    if (!this.build) return validateEntries(raw);
    const value = JSON.stringify(raw ?? null);
    const kept = this.state.get(VALIDATED_SETTINGS_KEY);
    if (isKept(kept) && kept.build === this.build && kept.value === value) return kept.entries;
    const entries = validateEntries(raw);
    const next: Kept = { build: this.build, value, entries };
    // Kept on the next turn: the write (a message to the workbench) is no part of the activation it speeds up.
    setTimeout(() => {
      this.state.update(VALIDATED_SETTINGS_KEY, next).then(undefined, (e: unknown) => this.onSaveFailed((e as Error)?.message ?? String(e)));
    }, 0);
    return entries;
  }
}

/**
 * The shape this build writes, down to the fields the registry reads before anything else; anything else (another
 * build's layout, a damaged profile) is validated afresh rather than trusted to hold together.
 */
function isKept(v: unknown): v is Kept {
  if (!isRecord(v)) return false;
  const k = v as Partial<Kept>;
  return typeof k.build === 'string' && typeof k.value === 'string' && Array.isArray(k.entries) && k.entries.every(isParsed);
}

function isParsed(e: unknown): boolean {
  if (!isRecord(e)) return false;
  const { config, problem } = e as Record<string, unknown>;
  if (isRecord(problem)) {
    const p = problem as Record<string, unknown>;
    return typeof p.index === 'number' && typeof p.field === 'string' && typeof p.message === 'string';
  }
  if (!isRecord(config)) return false;
  const c = config as Record<string, unknown>;
  return ['id', 'label', 'clientId', 'clientAuthentication', 'flow'].every((f) => typeof c[f] === 'string')
    && isRecord(c.endpoints) && isRecord(c.authorizationParameters);
}

function isRecord(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
