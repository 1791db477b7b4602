/** Shared assertions for the protocol tests. */
import * as assert from 'node:assert/strict';
import { isAuthError, type AuthError, type AuthErrorCode } from '../../src/protocol/errors';

/**
 * Asserts that `p` rejects with an AuthError of `code` (one of `code`, given several) and a message matching
 * `message`; returns the error.
 */
export async function rejectsWithAuthError(
  p: Promise<unknown>,
  code: AuthErrorCode | readonly AuthErrorCode[],
  message?: RegExp,
): Promise<AuthError> {
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    assert.ok(
      isAuthError(e),
      `expected an AuthError, got ${(e as Error)?.name}: ${(e as Error)?.message ?? e}\n${(e as Error)?.stack ?? ''}`,
    );
    const codes: readonly string[] = typeof code === 'string' ? [code] : code;
    assert.ok(codes.includes(e.code), `expected code ${codes.join('|')}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected a rejection with ${String(code)}, but it resolved: ${JSON.stringify(value)?.slice(0, 200)}`);
}
