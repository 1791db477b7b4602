/** The VS Code side of the FlowUi seam, and the few helpers that turn facts into what people see. */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { DeviceCodeInfo, ExtensionHostKind, FlowUi } from '../flows/flow';
import { plainText } from '../protocol/plainText';
import type { UriCallbacks } from './uriCallbacks';
import type { SignInUi } from '../engine/signIn';

import { EXTENSION_ID } from '../protocol/constants';

export { EXTENSION_ID };

/**
 * Opens a URL in the system browser. Passed as a string on purpose: `vscode.Uri.parse` decodes the query and the
 * opener re-encodes it, so `%26`/`%3F` inside `redirect_uri` would become real `&`/`?` and cut the parameter off.
 * The extension-host API accepts a string at run time.
 */
export function openExternalUrl(url: string): Thenable<boolean> {
  return vscode.env.openExternal(url as unknown as vscode.Uri);
}

/** The URI handler's callback inside this VS Code (`vscode://openauth.oauth-accounts/callback` on desktop). */
export function uriHandlerCallback(): vscode.Uri {
  return vscode.Uri.parse(`${vscode.env.uriScheme}://${EXTENSION_ID}/callback`);
}

/** The callback as this window makes it reachable from a browser (env.asExternalUri), un-encoded. */
export async function externalCallbackUri(): Promise<string> {
  // toString(true): the un-encoded form, so the query of a web workbench's callback URL stays a query.
  return (await vscode.env.asExternalUri(uriHandlerCallback())).toString(true);
}

/**
 * The redirect URIs a dynamically registered client is registered with (RFC 7591): exactly what the entries that
 * share the registration (one per server binding) send. Loopback on any port (RFC 8252 §7.3) for an entry without
 * `loopbackPorts`, `http://127.0.0.1:<port>/callback` for each port of an entry's pool (a server that matches redirect
 * URIs exactly, port included, refuses anything else), and the URI handler. `pools`: each entry's `loopbackPorts`.
 */
export function registrationRedirectUris(pools: ReadonlyArray<readonly number[] | undefined>): string[] {
  const loopback = pools.flatMap((ports) =>
    ports?.length ? ports.map((p) => `http://127.0.0.1:${p}/callback`) : ['http://127.0.0.1/callback'],
  );
  return [...new Set([...loopback, uriHandlerCallback().toString()])];
}

export function createFlowUi(callbacks: UriCallbacks): FlowUi & SignInUi {
  return {
    openExternal: (url) => Promise.resolve(openExternalUrl(url)),
    externalCallbackUri,
    waitForUriCallback: (state, signal) => callbacks.wait(state, signal),
    showDeviceCode,
    askForRedirectedUrl,
    withProgress: signInProgress,
    offerNextFlow,
  };
}

/** The sign-in's one progress notification, with Cancel (engine/signIn.ts). */
function signInProgress<R>(
  title: string,
  task: (report: (message: string) => void, cancelled: AbortSignal) => Promise<R>,
): Promise<R> {
  return Promise.resolve(
    notify.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        const cancelled = new AbortController();
        const sub = token.onCancellationRequested(() => cancelled.abort());
        return task((message) => progress.report({ message }), cancelled.signal).finally(() => sub.dispose());
      },
    ),
  );
}

async function offerNextFlow(label: string): Promise<boolean> {
  const yes = `Try ${label}`;
  const answer = await notify.showWarningMessage(
    `Having trouble signing in? Try a different way (${label})?`,
    yes,
    'Cancel',
  );
  return answer === yes;
}

export const COPY_AND_OPEN = 'Copy & Open';

async function askForRedirectedUrl(
  validate: (text: string) => string | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const cts = new vscode.CancellationTokenSource();
  const onAbort = () => cts.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await notify.showInputBox(
      {
        title: 'Finish signing in',
        prompt:
          'If VS Code does not pick up the sign-in by itself, paste the address your browser shows after signing in (or the code).',
        placeHolder: 'https://…/callback?code=…&state=…',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? validate(v) : undefined),
      },
      cts.token,
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
    cts.dispose();
  }
}

/** The device code in a modal with "Copy & Open"; false when dismissed (or the sign-in ended meanwhile). */
async function showDeviceCode(info: DeviceCodeInfo, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  // Both come from the server: shown as plain text (no link syntax, one line). The clipboard and the browser get
  // the real values below.
  const answer = notify.showInformationMessage(
    `Your code: ${plainText(info.userCode, 64)}`,
    {
      modal: true,
      detail: `To finish signing in, enter this code at ${plainText(info.verificationUri, 200)}. "${COPY_AND_OPEN}" copies the code and opens the page in your browser.`,
    },
    COPY_AND_OPEN,
  );
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    if ((await Promise.race([answer, aborted])) !== COPY_AND_OPEN) return false;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
  await vscode.env.clipboard.writeText(info.userCode);
  // Declining the browser is not a cancel: the code is copied and stays in the progress notification.
  await openExternalUrl(info.verificationUriComplete ?? info.verificationUri);
  return true;
}

/** Where our code runs relative to the user's browser, for the flow table. */
export function extensionHostKind(): ExtensionHostKind {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') return 'webworker';
  const self = vscode.extensions.getExtension(EXTENSION_ID);
  if (self?.extensionKind === vscode.ExtensionKind.UI) return 'local';
  return vscode.env.remoteName ? 'remote' : 'local';
}
