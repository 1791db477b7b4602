/**
 * "OAuth Accounts: Add Identity Provider...": preset or issuer → discovery (shows what the server supports) →
 * client id, id and label → the redirect URIs to register (with Copy) → written to user settings → offer to sign in.
 * Every failure says what to do and lets the user correct the URL instead of starting over.
 */
import { interactiveSignIn } from './commands';
import * as vscode from 'vscode';
import * as notify from './notify';
import { parseProvider, SETTING } from './config';
import { PRESETS, fillTemplate, type Preset } from './presets';
import { ProviderClient } from './protocol/client';
import { isAuthError } from './protocol/errors';
import type { BaseFetch } from './protocol/http';
import { HTTP_LOOPBACK_RULE, serverUrlProblem } from './protocol/urls';
import type { ProviderRegistry } from './providerRegistry';
import { buildEntry, describeCapabilities, redirectUrisToRegister, suggestId } from './providerSetup';

const title = 'Add Identity Provider';

async function ask(prompt: string, o: { value?: string; placeholder?: string; validate?: (v: string) => string | undefined; optional?: boolean } = {}): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title, prompt, value: o.value, placeHolder: o.placeholder, ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() && !o.optional ? 'Required.' : o.validate?.(v.trim())),
  });
}

export async function addProviderCommand(registry: ProviderRegistry, fetch: BaseFetch): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    PRESETS.map((p) => ({ label: p.label, description: p.description, preset: p })),
    { title, placeHolder: 'Which identity provider?', ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  const preset: Preset = pick.preset;

  // Answers and discovery, repeated until discovery works or the user gives up.
  const answers: Record<string, string> = {};
  let metadata: Awaited<ReturnType<ProviderClient['serverMetadata']>> | undefined;
  for (;;) {
    for (const q of preset.questions) {
      const optional = q.prompt.includes('(optional');
      const v = await ask(q.prompt, { value: answers[q.key] ?? q.defaultValue, placeholder: q.placeholder, optional });
      if (v === undefined) return undefined;
      answers[q.key] = v.trim();
    }
    if (!preset.issuer) break;
    const issuer = fillTemplate(preset.issuer, answers);
    const problem = serverUrlProblem(issuer);
    const probe = problem ? undefined : new ProviderClient({ id: 'setup', label: preset.label, issuer, endpoints: {}, clientId: 'setup', clientAuthentication: 'none', authorizationParameters: {}, flow: 'auto' }, { fetch, getClientSecret: async () => undefined });
    try {
      if (problem) throw new Error(`The issuer ${issuer} ${problem}.`);
      metadata = await notify.withProgress({ location: vscode.ProgressLocation.Notification, title: `Looking up ${issuer}…` }, () => probe!.serverMetadata());
      break;
    } catch (e) {
      const why = isAuthError(e) ? e.message : (e as Error).message;
      const retry = preset.questions.length ? 'Edit' : 'Retry';
      const a = await notify.showErrorMessage(`OAuth Accounts could not use ${issuer}: ${why}`, { modal: true, detail: `Check the URL (it must be the issuer exactly as your identity provider publishes it, over https://; ${HTTP_LOOPBACK_RULE}).` }, retry);
      if (a !== retry) return undefined;
    }
  }
  if (metadata) {
    const go = 'Continue';
    const a = await notify.showInformationMessage(`Found ${metadata.issuer}`, { modal: true, detail: describeCapabilities(metadata).join('\n') }, go);
    if (a !== go) return undefined;
  }

  const clientId = await ask(`Client id registered at ${preset.label}`, { placeholder: 'the application / client id' });
  if (!clientId) return undefined;
  const taken = new Set(registry.configs().map((c) => c.id));
  const label = await ask('Label shown in the Accounts menu', { value: preset.id === 'generic' && metadata ? new URL(metadata.issuer).host : preset.label });
  if (!label) return undefined;
  const id = await ask('Provider id (what extensions pass to vscode.authentication.getSession)', {
    value: suggestId(label, taken),
    validate: (v) => (taken.has(v) ? `"${v}" is already used.` : /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) ? undefined : 'Letters, digits, ".", "_" and "-" only.'),
  });
  if (!id) return undefined;

  const entry = buildEntry(preset, answers, { id, label, clientId });
  const parsed = parseProvider(entry);
  if ('problem' in parsed) {
    void notify.showErrorMessage(`OAuth Accounts: the new provider is not valid: ${parsed.problem.field} ${parsed.problem.message}`);
    return undefined;
  }

  const uris = redirectUrisToRegister(entry.flow, vscode.env.uriScheme);
  const copy = 'Copy Redirect URIs';
  const next = 'Add Provider';
  for (;;) {
    const a = await notify.showInformationMessage(`Register at ${preset.label}`, {
      modal: true,
      detail: `${preset.registerHint}\n\nRedirect URIs:\n${uris.map((u) => `  ${u}`).join('\n') || '  (none: device code)'}`,
    }, copy, next);
    if (a === copy) { await vscode.env.clipboard.writeText(uris.map((u) => u.split(' ')[0]).join('\n')); continue; }
    if (a !== next) return undefined;
    break;
  }

  const config = vscode.workspace.getConfiguration();
  const current = config.inspect<unknown[]>(SETTING)?.globalValue ?? [];
  await config.update(SETTING, [...current, entry], vscode.ConfigurationTarget.Global);
  if (entry.clientAuthentication && entry.clientAuthentication !== 'none') {
    await vscode.commands.executeCommand('oauthAccounts.setClientSecret', id);
  }
  const signIn = 'Sign In';
  void notify.showInformationMessage(`Added "${label}" to your user settings.`, signIn).then((a) => {
    // Our own button: straight to the sign-in (the command with arguments would ask again, as it does for others).
    if (a === signIn) void interactiveSignIn(registry, id, []);
  });
  return id;
}
