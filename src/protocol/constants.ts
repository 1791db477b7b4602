/**
 * Names the extension's parts agree on, each written once: src/ imports them, and test/unit/entrySchema.test.ts
 * holds package.json and the published api/oauth-accounts.d.ts to them.
 */

/** `publisher.name` from package.json: the URI handler's authority, and how other extensions find this one. */
export const EXTENSION_ID = 'openauth.oauth-accounts';

/**
 * A provider id: what other extensions pass to vscode.authentication.getSession. The same pattern and length are
 * package.json's `id` schema (`pattern`, `maxLength`), so the settings editor and the validator agree.
 */
export const PROVIDER_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const PROVIDER_ID_MAX_LENGTH = 100;

/**
 * PROVIDER_ID_PATTERN, written out (test/unit/protocol/entrySchema.test.ts holds the two to each other): settings
 * validation runs this for every entry inside activate(), where V8 would compile a pattern run twice to machine code.
 */
export function isValidProviderId(id: string): boolean {
  if (typeof id !== 'string' || id.length === 0 || id.length > PROVIDER_ID_MAX_LENGTH) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id[i];
    const alphanumeric = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alphanumeric && (i === 0 || (c !== '.' && c !== '_' && c !== '-'))) return false;
  }
  return true;
}

/**
 * `values` as a list of T that the compiler checks is complete: a member of T missing from it, or a value that is
 * not a T, is a type error. For run-time lists that mirror a type (setting values, entry fields).
 */
export function everyOf<T>() {
  return <const A extends readonly T[]>(
    values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never),
  ): readonly T[] => values;
}
