/**
 * The wizard's last offer: share the entry it just built with the team, as a workspace recommendation
 * (`oauthAccounts.recommendedProviders`) — copied to the clipboard as a settings.json snippet, or written into this
 * workspace's `.vscode/settings.json`. Teammates who open the workspace are then asked once whether to add it. The
 * entry holds no secret (client secrets live in SecretStorage only), so sharing it shares nothing private.
 */
import * as vscode from 'vscode';
import * as notify from '../notify';
import { RECOMMENDED_SETTING } from '../../settings/recommendations';

/** The settings.json snippet that recommends `entry` (what the clipboard gets). */
export function recommendationSnippet(entry: unknown): string {
  return JSON.stringify({ [RECOMMENDED_SETTING]: [entry] }, null, 2).replace(/^\{\n|\n\}$/g, '');
}

export async function shareWithTeam(entry: { id?: unknown }): Promise<void> {
  const copy = {
    label: 'Copy as a workspace recommendation',
    description: 'a snippet for .vscode/settings.json or devcontainer.json',
    action: 'copy' as const,
  };
  const folder = vscode.workspace.workspaceFolders?.[0];
  // A multi-root workspace keeps window settings in its .code-workspace file (folder settings would be ignored).
  const where = vscode.workspace.workspaceFile
    ? `the workspace file ${vscode.workspace.workspaceFile.path.split('/').pop()}`
    : folder && `${folder.name}/.vscode/settings.json`;
  const write = folder && {
    label: `Add to ${where}`,
    description: 'teammates who open this workspace are asked once',
    action: 'write' as const,
  };
  const pick = await notify.showQuickPick(write ? [write, copy] : [copy], {
    title: 'Share with Your Team',
    placeHolder: 'Recommend this provider to everyone who opens the workspace',
  });
  if (!pick) return;
  if (pick.action === 'copy') {
    await vscode.env.clipboard.writeText(recommendationSnippet(entry));
    void notify.showInformationMessage(
      `Copied. Paste it into .vscode/settings.json, or into "customizations.vscode.settings" of devcontainer.json.`,
    );
    return;
  }
  const config = vscode.workspace.getConfiguration(undefined, folder!.uri);
  const current = config.inspect<unknown[]>(RECOMMENDED_SETTING)?.workspaceValue;
  const list = (Array.isArray(current) ? current : []).filter((e) => (e as { id?: unknown })?.id !== entry.id);
  await config.update(RECOMMENDED_SETTING, [...list, entry], vscode.ConfigurationTarget.Workspace);
  void notify.showInformationMessage(`Recommended in ${where}: commit it to share it.`);
}
