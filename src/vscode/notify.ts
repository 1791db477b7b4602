/**
 * Every text the extension puts in the workbench goes through here: messages, modal dialogs, progress notifications,
 * input boxes and quick picks. Each is guarded (guardWorkbenchText: no live link, no icon syntax, no control
 * character, whoever wrote the text) and captured in test runs (see `capture` in ./log), so the tests check that no
 * secret and no link ever reaches the user's screen. Same signatures as `vscode.window`; `vscode.window` is read at
 * call time, so test doubles of it keep working. A unit test (test/unit/leakCheck.test.ts) keeps src/ from calling
 * those `vscode.window` functions (or creating status bar items, quick picks and input boxes) anywhere else.
 */
import * as vscode from 'vscode';
import { capture } from './log';
import { guardWorkbenchText } from '../protocol/plainText';

const guard = (text: string | undefined) => (text === undefined ? undefined : guardWorkbenchText(text));

/**
 * Defense in depth behind `plainText` at the sources (src/protocol/plainText.ts): every message, modal detail and
 * progress text loses its control characters and any `](` that would join a `[label](command:…)` link, because VS Code
 * renders such links in notifications. Our own texts (`oauthAccounts.providers[0]`) read the same afterwards.
 */
function guardArgs(message: string, rest: unknown[]): [string, unknown[]] {
  const guarded = rest.map((r) => {
    if (!r || typeof r !== 'object' || typeof (r as { detail?: unknown }).detail !== 'string') return r;
    const o = r as { detail: string };
    return { ...o, detail: guardWorkbenchText(o.detail, true) }; // a modal's detail keeps its lines
  });
  return [guardWorkbenchText(message), guarded];
}

/** The text a notification shows: the message, a modal's detail, and the button labels. */
function record(kind: string, message: string, rest: unknown[]): void {
  const parts = [message];
  for (const r of rest) {
    if (typeof r === 'string') parts.push(`[${r}]`);
    else if (r && typeof r === 'object') {
      const o = r as { detail?: unknown; title?: unknown };
      if (typeof o.detail === 'string') parts.push(o.detail);
      if (typeof o.title === 'string') parts.push(`[${o.title}]`); // a MessageItem
    }
  }
  capture(`[notification ${kind}] ${parts.join(' | ')}`);
}

type Show = (message: string, ...rest: unknown[]) => Thenable<unknown>;
const wrap =
  (kind: string, pick: () => Show) =>
  (raw: string, ...rawRest: unknown[]) => {
    const [message, rest] = guardArgs(raw, rawRest);
    record(kind, message, rest);
    return pick()(message, ...rest);
  };

export const showInformationMessage: typeof vscode.window.showInformationMessage = wrap(
  'info',
  () => vscode.window.showInformationMessage as Show,
) as typeof vscode.window.showInformationMessage;
export const showWarningMessage: typeof vscode.window.showWarningMessage = wrap(
  'warning',
  () => vscode.window.showWarningMessage as Show,
) as typeof vscode.window.showWarningMessage;
export const showErrorMessage: typeof vscode.window.showErrorMessage = wrap(
  'error',
  () => vscode.window.showErrorMessage as Show,
) as typeof vscode.window.showErrorMessage;

/** vscode.window.withProgress, capturing (and guarding) the title and every reported message. */
export function withProgress<R>(
  options: vscode.ProgressOptions,
  task: (
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ) => Thenable<R>,
): Thenable<R> {
  const guarded = options.title ? { ...options, title: guardWorkbenchText(options.title) } : options;
  if (guarded.title) capture(`[notification progress] ${guarded.title}`);
  return vscode.window.withProgress(guarded, (progress, token) =>
    task(
      {
        report(value) {
          const message = value.message ? guardWorkbenchText(value.message) : value.message;
          if (message) capture(`[notification progress] ${guarded.title ?? ''}: ${message}`);
          progress.report(message === value.message ? value : { ...value, message });
        },
      },
      token,
    ),
  );
}

/**
 * vscode.window.showInputBox with its title, prompt, placeholder and every validation message guarded (VS Code renders
 * `[label](command:…)` in the prompt and the validation message as a live link). The value is the user's own text.
 */
export function showInputBox(
  options: vscode.InputBoxOptions,
  token?: vscode.CancellationToken,
): Thenable<string | undefined> {
  const { validateInput } = options;
  const guarded: vscode.InputBoxOptions = {
    ...options,
    title: guard(options.title),
    prompt: guard(options.prompt),
    placeHolder: guard(options.placeHolder),
    ...(validateInput ? { validateInput: async (value: string) => guardValidation(await validateInput(value)) } : {}),
  };
  capture(`[input] ${[guarded.title, guarded.prompt, guarded.placeHolder].filter(Boolean).join(' | ')}`);
  return vscode.window.showInputBox(guarded, token);
}

type Validation = string | vscode.InputBoxValidationMessage | undefined | null;
function guardValidation(v: Validation): Validation {
  if (!v) return v;
  const guarded = typeof v === 'string' ? guardWorkbenchText(v) : { ...v, message: guardWorkbenchText(v.message) };
  capture(`[input validation] ${typeof guarded === 'string' ? guarded : guarded.message}`);
  return guarded;
}

/**
 * vscode.window.showQuickPick (one item picked) with its title, placeholder and every item's label, description and
 * detail guarded (labels and descriptions render `$(icon)`; some VS Code versions render links in details). The
 * answer is the caller's own item object, so callers may compare it with theirs.
 */
export async function showQuickPick<T extends vscode.QuickPickItem>(
  items: readonly T[] | Thenable<readonly T[]>,
  options: vscode.QuickPickOptions,
  token?: vscode.CancellationToken,
): Promise<T | undefined> {
  const originals = new Map<vscode.QuickPickItem, T>();
  const shown = (await items).map((item) => {
    const copy: vscode.QuickPickItem = {
      ...item,
      label: guardWorkbenchText(item.label),
      description: guard(item.description),
      detail: guard(item.detail),
    };
    originals.set(copy, item);
    return copy;
  });
  const guarded: vscode.QuickPickOptions = {
    ...options,
    title: guard(options.title),
    placeHolder: guard(options.placeHolder),
    canPickMany: false,
  };
  capture(
    `[quick pick] ${[guarded.title, guarded.placeHolder].filter(Boolean).join(' | ')}: ${shown.map((i) => [i.label, i.description, i.detail].filter(Boolean).join(' — ')).join(' / ')}`,
  );
  const picked = await vscode.window.showQuickPick(shown, guarded, token);
  return picked ? originals.get(picked) : undefined;
}
