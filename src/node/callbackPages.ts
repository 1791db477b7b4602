/**
 * The loopback listener's answer to the browser, once the sign-in's outcome is known: static templates from media/
 * whose `{{name}}` placeholders are filled with HTML-escaped plain text only (never markup, never a script), in one
 * pass so text that looks like a placeholder stays text.
 */
import type { AuthErrorCode } from '../protocol/errors';
import { escapeHtml } from '../protocol/plainText';

export interface CallbackPages {
  /** `{{provider}}`. */
  readonly success: string;
  /** `{{provider}}`, `{{error}}`, `{{description}}`: the server's words, as text. */
  readonly denied: string;
  /** `{{provider}}`, `{{reason}}`: one sentence of ours, never server text. */
  readonly failed: string;
}

export type CallbackOutcome =
  | { readonly kind: 'success' }
  /** The server answered the authorization request with `error` (after state and iss were checked). */
  | { readonly kind: 'denied'; readonly error: string; readonly description?: string }
  /** Anything else that ended the sign-in after the callback arrived; `code` picks the sentence (none: a bug). */
  | { readonly kind: 'failed'; readonly code?: AuthErrorCode };

/** Longest texts shown: enough for any real error description, too short to paint a convincing fake page. */
const MAX = { provider: 80, error: 64, description: 300 } as const;

const NEXT_STEP = 'Return to VS Code and try again; the details are in the log (run "OAuth Accounts: Show Log").';

/** One sentence per way a sign-in can fail after the browser came back, then what to do. */
function failureSentence(code: AuthErrorCode | undefined): string {
  switch (code) {
    case 'cancelled':
    case 'timeout':
      return 'The sign-in was cancelled or timed out in VS Code. Start it again from VS Code if you still want to sign in.';
    case 'invalid_callback':
      return `The answer that reached this page does not belong to the sign-in VS Code started, so it was not used. ${NEXT_STEP}`;
    case 'network':
      return `The identity provider could not be reached to finish the sign-in. ${NEXT_STEP}`;
    case 'invalid_grant':
    case 'server_rejected':
      return `The identity provider refused to issue tokens for this sign-in. ${NEXT_STEP}`;
    case 'invalid_response':
      return `The identity provider's answer failed the security checks, so nothing was stored. ${NEXT_STEP}`;
    case 'config':
    case 'discovery':
    case 'flow_unavailable':
      return `The provider's settings in VS Code need attention before this sign-in can work. ${NEXT_STEP}`;
    default:
      return `The sign-in could not be completed. ${NEXT_STEP}`;
  }
}

/** The page for `outcome`. */
export function renderCallbackPage(pages: CallbackPages, outcome: CallbackOutcome, providerLabel: string): string {
  const provider = pageText(providerLabel, MAX.provider) || 'your identity provider';
  switch (outcome.kind) {
    case 'success':
      return fill(pages.success, { provider });
    case 'denied':
      return fill(pages.denied, {
        provider,
        error: pageText(outcome.error, MAX.error) || 'error',
        description: pageText(outcome.description ?? '', MAX.description),
      });
    case 'failed':
      return fill(pages.failed, { provider, reason: failureSentence(outcome.code) });
  }
}

/** Every `{{name}}` replaced by the escaped value (unknown names by nothing), in a single pass. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => escapeHtml(values[name] ?? ''));
}

/**
 * Text fit to show: control and invisible formatting characters (bidi overrides that reorder what the user reads,
 * zero-width characters) removed, whitespace collapsed, capped at `max` characters.
 */
export function pageText(value: string, max: number): string {
  const clean = value
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}
