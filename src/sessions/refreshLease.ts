/**
 * A short lease in SecretStorage so that only one VS Code window refreshes a session at a time. With rotating
 * refresh tokens, two windows sending the same refresh token look like token theft to the server, which then
 * revokes the whole grant (RFC 9700 §4.14). SecretStorage has no compare-and-swap, so the lease is taken by
 * "check free → write → wait for other writers to land → read back": the last writer wins and everyone agrees who
 * that is. A holder that dies leaves a lease that simply expires.
 */
import type { SecretStorageLike } from './sessionStore';

interface Lease {
  readonly owner: string;
  readonly until: number;
}

export interface LeaseOptions {
  readonly secrets: SecretStorageLike;
  readonly key: string;
  /** This window (extension host instance). */
  readonly owner: string;
  readonly now: () => number;
  /** How long a holder may take to refresh before others may take over. */
  readonly ttlMs?: number;
  /** How long to let concurrent writers land before reading back. */
  readonly settleMs?: number;
}

const DEFAULT_TTL_MS = 20_000;
const DEFAULT_SETTLE_MS = 60;

export async function readLease(secrets: SecretStorageLike, key: string): Promise<Lease | undefined> {
  try {
    const raw = await secrets.get(key);
    if (!raw) return undefined;
    const v = JSON.parse(raw) as Lease;
    return typeof v.owner === 'string' && typeof v.until === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Tries once; true when this owner now holds the lease. */
export async function tryAcquireLease(o: LeaseOptions): Promise<boolean> {
  const current = await readLease(o.secrets, o.key);
  if (current && current.owner !== o.owner && current.until > o.now()) return false;
  await o.secrets.store(o.key, JSON.stringify({ owner: o.owner, until: o.now() + (o.ttlMs ?? DEFAULT_TTL_MS) }));
  await new Promise((r) => setTimeout(r, o.settleMs ?? DEFAULT_SETTLE_MS));
  const after = await readLease(o.secrets, o.key);
  return after?.owner === o.owner;
}

export async function releaseLease(o: LeaseOptions): Promise<void> {
  const current = await readLease(o.secrets, o.key);
  if (current?.owner === o.owner) await o.secrets.delete(o.key);
}

/**
 * Resolves when the lease is free or expired, or when `changed` fires (the holder stored new tokens), whichever comes
 * first, or when `signal` aborts; polls as a fallback because onDidChange is not guaranteed across every host.
 */
export async function waitForLease(
  o: LeaseOptions,
  changed: (listener: () => void) => { dispose(): unknown },
  maxWaitMs = DEFAULT_TTL_MS,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = o.now() + maxWaitMs;
  await new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sub.dispose();
      clearInterval(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const sub = changed(finish);
    signal?.addEventListener('abort', finish);
    const timer = setInterval(async () => {
      const lease = await readLease(o.secrets, o.key);
      if (!lease || lease.until <= o.now() || o.now() > deadline) finish();
    }, 25);
  });
}
