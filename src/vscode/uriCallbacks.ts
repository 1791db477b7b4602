/**
 * Pending URI-handler sign-ins keyed by their one-time `state`. The extension's single UriHandler feeds every
 * callback here; one with an unknown or already used state is logged and ignored (another sign-in may be in
 * flight, or the user reopened an old tab), never an error for the sign-in that is waiting.
 */
/**
 * How the query of a handled URI is encoded, which depends on the workbench, not on our extension host:
 * - 'decoded' (desktop): the OS hands VS Code the URL and `URI.parse` percent-decodes the query, so `uri.query` is
 *   `code=a+b&iss=https://…`; decoding it again would turn that `+` into a space.
 * - 'form' (browser workbench: vscode.dev, code-server): the web callback page (callback.html) rebuilds the query
 *   with `URLSearchParams.toString()` and the URI is revived as is, so `uri.query` is still form-encoded
 *   (`iss=https%3A%2F%2F…`) and must be decoded exactly once.
 */
export type QueryEncoding = 'decoded' | 'form';

/** How long a cancelled sign-in's state is remembered, to explain an answer that arrives after the cancel. */
const CANCELLED_MEMORY_MS = 15 * 60_000;

export class UriCallbacks {
  private readonly waiting = new Map<string, (query: URLSearchParams) => void>();
  private readonly cancelled = new Map<string, number>();
  /** Told when the browser finishes a sign-in the user already cancelled (or that timed out) in VS Code. */
  onLateAnswer?: () => void;

  constructor(
    private readonly log: (line: string) => void,
    private readonly encoding: QueryEncoding = 'decoded',
    private readonly now: () => number = Date.now,
  ) {}

  wait(state: string, signal: AbortSignal): Promise<URLSearchParams> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(state);
        for (const [s, at] of this.cancelled) if (this.now() - at > CANCELLED_MEMORY_MS) this.cancelled.delete(s);
        this.cancelled.set(state, this.now());
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(state, (query) => {
        signal.removeEventListener('abort', onAbort);
        resolve(query);
      });
    });
  }

  /** Called with the handled URI's path and query (`uri.query`, see QueryEncoding). Returns whether a pending sign-in took it. */
  deliver(path: string, query: string): boolean {
    if (path !== '/callback') {
      this.log(`ignored a URI for unknown path ${JSON.stringify(path.slice(0, 64))}`);
      return false;
    }
    const params = this.encoding === 'form' ? new URLSearchParams(query) : parseDecodedQuery(query);
    const state = params.get('state');
    const take = state !== null ? this.waiting.get(state) : undefined;
    if (!take) {
      const at = state !== null ? this.cancelled.get(state) : undefined;
      if (at !== undefined && this.now() - at <= CANCELLED_MEMORY_MS) {
        this.cancelled.delete(state!);
        this.log('the browser finished a sign-in that was already cancelled or timed out in VS Code; ignored');
        this.onLateAnswer?.();
        return false;
      }
      this.log('ignored a sign-in callback that matches no pending sign-in (unknown or already used state)');
      return false;
    }
    this.waiting.delete(state!);
    take(params);
    return true;
  }

  get pendingCount(): number {
    return this.waiting.size;
  }
}

/**
 * The parameters of a query VS Code has already percent-decoded (`vscode.Uri.query`). `new URLSearchParams` would
 * decode a second time: a `+` in a code would become a space and `%2B` a `+`. So: split on `&`, then on the first
 * `=`, and take the text as it is. (A value that itself contained an encoded `&` was already ambiguous once VS Code
 * decoded it; authorization codes and state values do not contain one.)
 */
export function parseDecodedQuery(query: string): URLSearchParams {
  const params = new URLSearchParams();
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    params.append(eq === -1 ? part : part.slice(0, eq), eq === -1 ? '' : part.slice(eq + 1));
  }
  return params;
}
