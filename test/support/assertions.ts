/** Shared assertions for the protocol tests. */
import * as assert from 'node:assert/strict';
import { AuthError, type AuthErrorCode } from '../../src/protocol/errors';

/** Asserts that `p` rejects with an AuthError of `code` (and a message matching `message`); returns the error. */
export async function rejectsWithAuthError(
  p: Promise<unknown>,
  code: AuthErrorCode | string,
  message?: RegExp,
): Promise<AuthError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AuthError, `expected AuthError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected rejection with ${code}`);
}
