/**
 * RFC 8628 polling stops at the device code's `expires_in`, and at once when the caller cancels: openid-client
 * notices an abort only when its current wait step ends (up to 5 s), and Cancel must not wait for that.
 */
import { AuthError, DEVICE_CODE_EXPIRED, isAuthError } from './errors';

/**
 * Runs `poll` with a signal that aborts when `signal` does or after `msLeft`; whichever comes first rejects at once
 * with `reason()`: the expiry's AuthError (timeout), or `cancelled`.
 */
export async function untilExpiry<T>(
  msLeft: number,
  signal: AbortSignal | undefined,
  poll: (polling: AbortSignal, reason: () => AuthError) => Promise<T>,
): Promise<T> {
  const expiry = new AbortController();
  const expiryTimer = setTimeout(
    () => expiry.abort(new AuthError('timeout', DEVICE_CODE_EXPIRED)),
    Math.max(0, msLeft),
  );
  const polling = signal ? AbortSignal.any([signal, expiry.signal]) : expiry.signal;
  const reason = () =>
    isAuthError(polling.reason) ? polling.reason : new AuthError('cancelled', 'Sign-in cancelled.');
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(reason());
    if (polling.aborted) onAbort();
    else polling.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([poll(polling, reason), aborted]);
  } finally {
    clearTimeout(expiryTimer);
    if (onAbort) polling.removeEventListener('abort', onAbort);
  }
}
