/**
 * "OAuth Accounts: Add Identity Provider...": preset or issuer → discovery (shows what the server supports) →
 * client id, id and label → the redirect URIs to register (with Copy) → written to user settings → offer to sign in.
 * Every failure says what to do and lets the user correct the URL instead of starting over.
 */
import { interactiveSignIn } from '../interactiveSignIn';
import { isValidProviderId } from '../../protocol/constants';
import * as vscode from 'vscode';
import * as notify from '../notify';
import { parseProvider, PREFER_DEVICE_CODE_SETTING, SETTING, type FlowSetting } from '../../protocol/config';
import { fillTemplate } from '../../protocol/presets';
import { PRESETS, type Preset } from './presetGuide';
import type { ServerMetadata } from 'openid-client';
import type { Engine } from '../../engine/engine';
import { isAuthError } from '../../protocol/errors';
import { HTTP_LOOPBACK_RULE, serverUrlProblem } from '../../protocol/urls';
import type { ProviderRegistry } from '../registry';
import { selectFlows, type FlowInfo } from '../../flows/flow';
import {
  authorizationServerChoices,
  buildEntry,
  describeCapabilities,
  describeRedirects,
  redirectLines,
  suggestId,
} from './entryBuilder';
import { extensionHostKind, externalCallbackUri } from '../ui';
import { chooseClient } from './addProviderClient';
import { serverRefused } from '../../settings/orgRules';
import { shareWithTeam } from './shareRecommendation';

import { askLoopbackPorts, idOwner, idsInSettings, registeredServer, WIZARD_TITLE as title } from './wizardSteps';

async function ask(
  prompt: string,
  o: { value?: string; placeholder?: string; validate?: (v: string) => string | undefined; optional?: boolean } = {},
): Promise<string | undefined> {
  return notify.showInputBox({
    title,
    prompt,
    value: o.value,
    placeHolder: o.placeholder,
    ignoreFocusOut: true,
    validateInput: (v) => (!v.trim() && !o.optional ? 'Required.' : o.validate?.(v.trim())),
  });
}

export async function addProviderCommand(
  registry: ProviderRegistry,
  loadEngine: () => Promise<Engine>,
): Promise<string | undefined> {
  const disabledBy = registry.orgRules().manualProvidersDisabledBy;
  if (disabledBy.length) {
    void notify.showInformationMessage(
      `OAuth Accounts: your organisation provides the identity providers to use; adding one by hand is switched off (${disabledBy.join(', ')}).`,
    );
    return undefined;
  }
  // The engine (lookups, registration, the flows this build ships): loaded while the user picks a preset.
  const loading = loadEngine();
  loading.catch(() => undefined);
  const pick = await notify.showQuickPick(
    PRESETS.map((p) => ({ label: p.label, description: p.description, preset: p })),
    { title, placeHolder: 'Which identity provider?', ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  const preset: Preset = pick.preset;
  const engine = await loading;
  const shipped: readonly FlowInfo[] = engine.flows;

  // Answers and discovery, repeated until discovery works or the user gives up.
  const answers: Record<string, string> = {};
  let metadata: ServerMetadata | undefined;
  // RFC 9728: the generic preset's URL may be an API or MCP endpoint; the entry then records it as its resource.
  let resource: string | undefined;
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
    try {
      if (problem) throw new Error(`The issuer ${issuer} ${problem}.`);
      if (preset.id !== 'generic') {
        metadata = await notify.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Looking up ${issuer}…` },
          () => engine.discoverIssuer(issuer),
        );
        break;
      }
      // The URL as typed (fillTemplate trims a trailing slash, which is part of a resource identifier).
      const typed = answers.issuer;
      const found = await notify.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Looking up ${typed}…` },
        () => engine.lookUpServerUrl(typed),
      );
      if (found.kind === 'issuer') {
        metadata = found.metadata;
        break;
      }
      const servers = authorizationServerChoices(found.resource);
      const chosen =
        servers.length === 1
          ? servers[0]
          : await notify.showQuickPick(servers, {
              title,
              ignoreFocusOut: true,
              placeHolder: `${found.resource.resourceName ?? typed} accepts tokens from these authorization servers; sign in with which?`,
            });
      if (!chosen) return undefined;
      metadata = await notify.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Looking up ${chosen.issuer}…` },
        () => engine.discoverIssuer(chosen.issuer),
      );
      resource = found.resource.resource;
      break;
    } catch (e) {
      const why = isAuthError(e) ? e.message : (e as Error).message;
      const retry = preset.questions.length ? 'Edit' : 'Retry';
      const a = await notify.showErrorMessage(
        `OAuth Accounts could not use ${issuer}: ${why}`,
        {
          modal: true,
          detail: `Check the URL (it must be the issuer exactly as your identity provider publishes it, over https://; ${HTTP_LOOPBACK_RULE}).`,
        },
        retry,
      );
      if (a !== retry) return undefined;
    }
  }
  const early = metadata && serverRefused({ issuer: metadata.issuer, endpoints: {} }, registry.orgRules());
  if (early) {
    void notify.showErrorMessage(`OAuth Accounts cannot add ${metadata!.issuer}: ${early}.`);
    return undefined;
  }
  if (metadata) {
    const go = 'Continue';
    const via = resource
      ? `Protected resource: ${resource} (RFC 9728); its tokens will be requested for it (RFC 8707).\n`
      : '';
    const a = await notify.showInformationMessage(
      `Found ${metadata.issuer}`,
      { modal: true, detail: via + describeCapabilities(metadata).join('\n') },
      go,
    );
    if (a !== go) return undefined;
  }

  // A registration endpoint: offer dynamic registration (RFC 7591); otherwise (or by choice) a client id by hand.
  // Registered clients are public: not offered for presets that need a confidential client.
  const presetAuth = (preset.entry as { clientAuthentication?: string }).clientAuthentication;
  const client = await chooseClient(
    registry,
    presetAuth && presetAuth !== 'none' ? undefined : metadata,
    registeredServer(preset, answers, metadata),
    engine,
    preset.label,
    (prompt, o) => ask(prompt, o),
  );
  if (!client) return undefined;
  const clientId = client.clientId ?? '';
  // Refused while typing (not after the settings are written): an id registered twice is ignored by VS Code.
  const inSettings = idsInSettings();
  const taken = new Set([...registry.usedIds(), ...inSettings]);
  const label = await ask('Label shown in the Accounts menu', {
    value: preset.id === 'generic' && metadata ? new URL(metadata.issuer).host : preset.label,
  });
  if (!label) return undefined;
  const id = await ask('Provider id (what extensions pass to vscode.authentication.getSession)', {
    value: suggestId(label, taken),
    validate: (v) => {
      if (!isValidProviderId(v))
        return 'Letters, digits, ".", "_" and "-" only, starting with a letter or digit (at most 100).';
      const owner = idOwner(v, registry, inSettings);
      return owner ? `"${v}" is already registered in this VS Code by ${owner}; choose another id.` : undefined;
    },
  });
  if (!id) return undefined;

  const entry = buildEntry(preset, answers, { id, label, clientId });
  if (client.registered) {
    delete (entry as Record<string, unknown>).clientId; // registered per server in SecretStorage, not in settings
    if (metadata) entry.issuer = metadata.issuer; // the store's key: exactly the issuer the server publishes
  }
  if (resource && metadata) {
    entry.issuer = metadata.issuer;
    entry.resources = [resource];
  }
  const parsed = parseProvider(entry);
  if ('problem' in parsed) {
    void notify.showErrorMessage(
      `OAuth Accounts: the new provider is not valid: ${parsed.problem.field} ${parsed.problem.message}`,
    );
    return undefined;
  }
  const refused = serverRefused(parsed.config, registry.orgRules());
  if (refused) {
    void notify.showErrorMessage(`OAuth Accounts: the new provider cannot be used: ${refused}.`);
    return undefined;
  }

  // What this window will really send: the flows the table picks here, and the URI-handler callback as VS Code
  // makes it reachable (vscode://… on desktop; an http(s) URL of the workbench in code-server or vscode.dev).
  const flows = selectFlows({
    host: extensionHostKind(),
    setting: (entry.flow as FlowSetting | undefined) ?? 'auto',
    flows: shipped,
    serverHasDeviceEndpoint: !!(
      metadata?.device_authorization_endpoint ??
      (entry.endpoints as Record<string, unknown> | undefined)?.deviceAuthorization
    ),
    serverHasAuthorizationEndpoint: metadata ? !!metadata.authorization_endpoint : undefined,
    preferDeviceCode: vscode.workspace.getConfiguration().get<boolean>(PREFER_DEVICE_CODE_SETTING, false) === true,
  });
  const handler = await externalCallbackUri();
  const shippedFlows = flows.map((id) => shipped.find((f) => f.id === id)!);
  let lines = redirectLines(shippedFlows, handler);
  const urisOf = (ls: typeof lines) => ls.flatMap((l) => l.registerEach ?? (l.register ? [l.register] : []));
  const copy = 'Copy Redirect URIs';
  const fixedPorts = 'Use Fixed Ports...';
  const next = 'Add Provider';
  for (;;) {
    const uris = urisOf(lines);
    if (client.registered) {
      // Nothing to register by hand: say which path was taken.
      const a = await notify.showInformationMessage(
        `Registered with ${metadata?.issuer ?? preset.label}`,
        { modal: true, detail: client.registered },
        next,
      );
      if (a !== next) return undefined;
      break;
    }
    const a = await notify.showInformationMessage(
      `Register at ${preset.label}`,
      {
        modal: true,
        detail: `${preset.registerHint}\n\nSign-in methods in this window, in the order they are tried, and their redirect URIs:\n${describeRedirects(lines)}`,
      },
      ...(uris.length ? [copy] : []),
      ...(flows.includes('loopback') ? [fixedPorts] : []),
      next,
    );
    if (a === copy) {
      await vscode.env.clipboard.writeText(uris.join('\n'));
      continue;
    }
    if (a === fixedPorts) {
      // For servers that accept only redirect URIs registered exactly, port included.
      const ports = await askLoopbackPorts();
      if (ports) {
        entry.loopbackPorts = ports;
        lines = redirectLines(shippedFlows, handler, ports);
      }
      continue;
    }
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
  const share = 'Share with Your Team...';
  void notify.showInformationMessage(`Added "${label}" to your user settings.`, signIn, share).then((a) => {
    // Our own button: straight to the sign-in (the command with arguments would ask again, as it does for others).
    if (a === signIn) void interactiveSignIn(registry, id, []);
    if (a === share) void shareWithTeam(entry);
  });
  return id;
}
