/**
 * Polls `probe` until it gives a truthy value, which is returned; throws "timed out waiting for <what>" after
 * `timeoutMs`. `what` may be a function, read at the timeout, so the message can carry what was seen meanwhile.
 * The deadline only stops a wait for something that is not coming (it names what, where mocha's timeout would not):
 * it is generous, because a loaded 2-core machine is slow, not wrong.
 */
export async function until<T>(
  what: string | (() => string),
  probe: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
