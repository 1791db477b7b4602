/**
 * The Add Identity Provider wizard's smaller steps: which ids are taken and by whom, the server a registered client
 * is stored under, the fixed loopback ports. Kept apart so addProvider.ts reads as the flow it is.
 */
import * as vscode from 'vscode';
import * as notify from '../notify';
import { BUILT_IN_PROVIDER_IDS, parseProvider, SETTING } from '../../protocol/config';
import type { ServerLocation } from '../../sessions/serverBinding';
import type { ProviderRegistry } from '../registry';
import { contributedProviderIds } from '../providerIds';
import { buildEntry } from './entryBuilder';
import type { Preset } from './presetGuide';

export const WIZARD_TITLE = 'Add Identity Provider';
const title = WIZARD_TITLE;

/** Ids in the user's setting, registered or not (invalid or duplicate entries would clash later too). */
export function idsInSettings(): string[] {
  const entries = vscode.workspace.getConfiguration().inspect<unknown[]>(SETTING)?.globalValue ?? [];
  return entries.map((e) => (e as { id?: unknown })?.id).filter((x): x is string => typeof x === 'string');
}

/** Who already registered `id` in this VS Code, in words, or undefined when it is free. */
export function idOwner(id: string, registry: ProviderRegistry, inSettings: readonly string[]): string | undefined {
  if (BUILT_IN_PROVIDER_IDS.includes(id)) return "VS Code's built-in sign-in";
  const extension = contributedProviderIds().get(id);
  if (extension) return `the extension ${extension}`;
  if (registry.usedIds().has(id))
    return registry.sourceOf(id) === 'api'
      ? 'another extension through the OAuth Accounts API'
      : 'a provider in your OAuth Accounts settings';
  if (inSettings.includes(id)) return 'an entry in your OAuth Accounts settings';
  return undefined;
}

/**
 * The server an entry with a registered client names, as the steps below write it (the issuer exactly as the server
 * publishes it, the preset's other fields): the binding the registration is stored under.
 */
export function registeredServer(
  preset: Preset,
  answers: Record<string, string>,
  metadata: { issuer: string } | undefined,
): ServerLocation {
  const issuer = metadata?.issuer ?? '';
  const draft: Record<string, unknown> = {
    ...buildEntry(preset, answers, { id: 'draft', label: 'draft', clientId: '' }),
    issuer,
  };
  delete draft.clientId;
  const parsed = parseProvider(draft);
  return 'config' in parsed ? parsed.config : { issuer, endpoints: {} };
}

/** The loopback ports registered at the server (exact-match redirect URIs), as the `loopbackPorts` setting takes them. */
export async function askLoopbackPorts(): Promise<number[] | undefined> {
  const parse = (v: string) =>
    v
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
  const text = await notify.showInputBox({
    title: `${title}: fixed loopback ports`,
    prompt:
      'The ports registered at your identity provider as http://127.0.0.1:<port>/callback, tried in order (a busy one falls through to the next).',
    placeHolder: '8400, 8401',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const ports = parse(v);
      return ports.length && ports.length <= 20 && ports.every((p) => Number.isInteger(p) && p >= 1024 && p <= 65535)
        ? undefined
        : 'One to 20 port numbers between 1024 and 65535, separated by commas.';
    },
  });
  return text === undefined ? undefined : [...new Set(parse(text))];
}
