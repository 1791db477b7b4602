/**
 * Every notification the extension shows (messages, modal dialogs, progress notifications) goes through here, so
 * test runs can capture its text (see `capture` in ./log) and check that no secret ever reaches the user's screen.
 * Same signatures as `vscode.window`; `vscode.window` is read at call time, so test doubles of it keep working.
 * A unit test (test/unit/leakCheck.test.ts) keeps src/ from calling vscode.window.show*Message directly.
 */
import * as vscode from 'vscode';
import { capture } from './log';
import { guardNotificationText } from '../protocol/plainText';

/**
 * Defense in depth behind `plainText` at the sources (src/protocol/plainText.ts): every message, modal detail and
 * progress text loses its control characters and any `](` that would join a `[label](command:…)` link, because VS Code
 * renders such links in notifications. Our own texts (`oauthAccounts.providers[0]`) read the same afterwards.
 */
function guardArgs(message: string, rest: unknown[]): [string, unknown[]] {
  const guarded = rest.map((r) => {
    if (!r || typeof r !== 'object' || typeof (r as { detail?: unknown }).detail !== 'string') return r;
    const o = r as { detail: string };
    return { ...o, detail: guardNotificationText(o.detail, true) }; // a modal's detail keeps its lines
  });
  return [guardNotificationText(message), guarded];
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
const wrap = (kind: string, pick: () => Show) => ((raw: string, ...rawRest: unknown[]) => {
  const [message, rest] = guardArgs(raw, rawRest);
  record(kind, message, rest);
  return pick()(message, ...rest);
});

export const showInformationMessage: typeof vscode.window.showInformationMessage =
  wrap('info', () => vscode.window.showInformationMessage as Show) as typeof vscode.window.showInformationMessage;
export const showWarningMessage: typeof vscode.window.showWarningMessage =
  wrap('warning', () => vscode.window.showWarningMessage as Show) as typeof vscode.window.showWarningMessage;
export const showErrorMessage: typeof vscode.window.showErrorMessage =
  wrap('error', () => vscode.window.showErrorMessage as Show) as typeof vscode.window.showErrorMessage;

/** vscode.window.withProgress, capturing (and guarding) the title and every reported message. */
export function withProgress<R>(
  options: vscode.ProgressOptions,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
): Thenable<R> {
  const guarded = options.title ? { ...options, title: guardNotificationText(options.title) } : options;
  if (guarded.title) capture(`[notification progress] ${guarded.title}`);
  return vscode.window.withProgress(guarded, (progress, token) => task({
    report(value) {
      const message = value.message ? guardNotificationText(value.message) : value.message;
      if (message) capture(`[notification progress] ${guarded.title ?? ''}: ${message}`);
      progress.report(message === value.message ? value : { ...value, message });
    },
  }, token));
}
