/**
 * The authentication provider ids this VS Code already has owners for: VS Code's own and those other extensions
 * contribute in their manifests (registered or not yet). An entry may not take one of them: VS Code would ignore it,
 * or the extension that owns the id could no longer register its provider.
 */
import * as vscode from 'vscode';
import { BUILT_IN_PROVIDER_IDS } from '../protocol/config';
import { EXTENSION_ID } from './ui';

/** Every id that is not ours to register. Walks every installed extension: call it only with an id to check. */
export function takenProviderIds(): Set<string> {
  return new Set([...BUILT_IN_PROVIDER_IDS, ...contributedProviderIds().keys()]);
}

/** Authentication provider ids other extensions contribute, with the extension that owns each. */
export function contributedProviderIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const ext of vscode.extensions.all) {
    if (ext.id.toLowerCase() === EXTENSION_ID) continue;
    const contributed = (ext.packageJSON as { contributes?: { authentication?: Array<{ id?: unknown }> } })?.contributes
      ?.authentication;
    for (const a of contributed ?? []) if (typeof a?.id === 'string' && !ids.has(a.id)) ids.set(a.id, ext.id);
  }
  return ids;
}
