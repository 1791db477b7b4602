/**
 * Where the organisation's managed providers and rules are read from, for the registry: the managed file at the
 * fixed system path (only an administrator can write it), the file the machine-scoped setting
 * `oauthAccounts.managedProvidersFile` names (a dev image), and the `oauthAccounts.organization.*` settings. Rules
 * from all of them only tighten (orgRules.ts), so changing a setting can add a restriction, never lift the system
 * file's. The files are read by the platform (Node: a synchronous local read of a small file; the web worker host
 * reads none).
 */
import type * as vscode from 'vscode';
import { NO_MANAGED, parseManaged, type Managed, type ManagedFile } from '../settings/managedProviders';
import { addRules, NO_RULES, restrictsNothing, type RawRules } from '../settings/orgRules';

/**
 * The extension's settings, read as one section: VS Code copies every top-level key of what getConfiguration returns
 * onto its result, so reading all settings to get ours copies every extension's (0.4 ms inside activate(), profiled).
 */
export const SETTINGS_SECTION = 'oauthAccounts';
/** A setting's key within SETTINGS_SECTION. */
export function inSection(setting: string): string {
  return setting.slice(SETTINGS_SECTION.length + 1);
}

export const MANAGED_FILE_SETTING = 'oauthAccounts.managedProvidersFile';
export const ORGANIZATION_SETTINGS = 'oauthAccounts.organization';
/** Settings whose change means the providers must be worked out again. */
export const PROVIDER_SETTINGS = ['oauthAccounts.providers', MANAGED_FILE_SETTING, ORGANIZATION_SETTINGS] as const;

export type ReadManagedFiles = (paths: readonly string[]) => ManagedFile[];

/**
 * `config`: the SETTINGS_SECTION settings as the registry read them (one read per change); `systemFile`: the platform's fixed path
 * (managedProviders.ts systemManagedFile), when it has one.
 */
export function loadManaged(
  config: vscode.WorkspaceConfiguration,
  read: ReadManagedFiles | undefined,
  systemFile: string | undefined,
  platform?: string,
): Managed {
  const problems: string[] = [];
  const org = config.get<RawRules>(inSection(ORGANIZATION_SETTINGS)) ?? {};
  const rules = restrictsNothing(org)
    ? NO_RULES
    : addRules(NO_RULES, `your settings (${ORGANIZATION_SETTINGS}.*)`, org, problems);
  const named = config.get<unknown>(inSection(MANAGED_FILE_SETTING));
  if (named !== undefined && named !== null && named !== '' && typeof named !== 'string')
    problems.push(`"${MANAGED_FILE_SETTING}" must be the path of a JSON file.`);
  let namedPath = typeof named === 'string' && named.trim() ? named.trim() : undefined;
  // Windows cannot tell an administrator's file from one any process of the user wrote: only the system path.
  if (namedPath && platform === 'win32') {
    problems.push(
      `"${MANAGED_FILE_SETTING}" is not used on Windows: put the file at ${systemFile ?? 'the system path'}.`,
    );
    namedPath = undefined;
  }
  if (namedPath && !read)
    problems.push(
      `"${MANAGED_FILE_SETTING}" cannot be read by OAuth Accounts in this window's web worker extension host (no file system): its providers and rules are not applied here.`,
    );
  const paths = [systemFile, namedPath].filter((p): p is string => !!p);
  const files = read && paths.length ? read([...new Set(paths)]) : [];
  // Most machines have no managed file: nothing to parse.
  if (files.every((f) => f.text === undefined && f.error === undefined)) return { ...NO_MANAGED, rules, problems };
  const managed = parseManaged(files, rules);
  return { ...managed, problems: [...problems, ...managed.problems] };
}
