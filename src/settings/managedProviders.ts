/**
 * Managed providers: entries and organisation rules an administrator provides in a JSON file — dropped by device
 * management at a fixed system path, or baked into a dev image and named by the machine-scoped setting
 * `oauthAccounts.managedProvidersFile`:
 *
 *   { "providers": [ { "id": "corp", "label": "Corp SSO", "issuer": "https://sso.corp.example", "clientId": "vscode" } ],
 *     "rules": { "allowedIssuers": ["https://sso.corp.example"], "allowedAccounts": ["*@corp.example"],
 *                "disableManualProviders": false } }
 *
 * The files are read when the extension starts and when the setting changes (a local read, no network, no secret),
 * validated like user entries, and their providers cannot be removed or replaced from settings, the API or the UI.
 * No `vscode` import: the caller reads the files (Node only; the web worker host has no file system to read them).
 */
import { validateEntries, type ParsedEntry } from '../protocol/config';
import { addRules, NO_RULES, type OrgRules, type RawRules } from './orgRules';

/** Where device management puts the file, per platform (the setting can name one more). */
export function systemManagedFile(
  platform: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (platform === 'win32') return env.ProgramData ? `${env.ProgramData}\\OAuthAccounts\\managed.json` : undefined;
  if (platform === 'darwin') return '/Library/Application Support/OAuthAccounts/managed.json';
  return '/etc/oauth-accounts/managed.json';
}

/** One managed file as read: its text, or why it could not be read (a missing file is no problem and no source). */
export interface ManagedFile {
  readonly path: string;
  readonly text?: string;
  readonly error?: string;
}

export interface Managed {
  /** Each file's entries, validated one by one; `source` names the file for messages. */
  readonly entries: ReadonlyArray<{ readonly source: string; readonly parsed: ParsedEntry }>;
  readonly rules: OrgRules;
  readonly problems: readonly string[];
}

export const NO_MANAGED: Managed = { entries: [], rules: NO_RULES, problems: [] };

/** Parses every file that exists; a file that cannot be read or parsed is a problem and adds nothing. */
export function parseManaged(files: readonly ManagedFile[], rules: OrgRules = NO_RULES): Managed {
  const problems: string[] = [];
  const entries: Array<{ source: string; parsed: ParsedEntry }> = [];
  for (const f of files) {
    const source = `the managed file ${f.path}`;
    if (f.error) {
      problems.push(`${source} could not be read (${f.error}); its providers are not available.`);
      continue;
    }
    if (f.text === undefined) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(f.text);
    } catch (e) {
      // Where, never what: the parser's message quotes the file's text, and the file may not be what it should be.
      const at = /position (\d+)|line (\d+) column (\d+)/.exec((e as Error).message);
      const where = at ? (at[1] ? ` at character ${at[1]}` : ` at line ${at[2]}, column ${at[3]}`) : '';
      problems.push(`${source} is not valid JSON${where}; its providers are not available.`);
      continue;
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push(`${source} must hold an object with "providers" and/or "rules".`);
      continue;
    }
    const { providers, rules: raw, ...rest } = doc as { providers?: unknown; rules?: unknown };
    const unknown = Object.keys(rest);
    if (unknown.length)
      problems.push(
        `${source}: ${unknown.map((k) => JSON.stringify(k)).join(', ')} is not known (known: "providers", "rules").`,
      );
    if (raw !== undefined) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) problems.push(`${source}: "rules" must be an object.`);
      else rules = addRules(rules, source, raw as RawRules, problems);
    }
    if (providers !== undefined) {
      if (!Array.isArray(providers)) problems.push(`${source}: "providers" must be a list of provider entries.`);
      else for (const parsed of validateEntries(providers)) entries.push({ source, parsed });
    }
  }
  return { entries, rules, problems };
}
