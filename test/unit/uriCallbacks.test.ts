// The URI handler's query (src/uriCallbacks.ts): VS Code hands over `uri.query` already percent-decoded, so it must
// not be decoded again. A second decoding turns `+` into a space and `%2B` into `+`, and the code exchange fails.
import * as assert from 'node:assert/strict';
import { parseDecodedQuery, UriCallbacks } from '../../src/uriCallbacks';

/** What VS Code's handler receives for a callback the IdP built with proper encoding: the decoded query. */
const asVsCodeQuery = (params: Record<string, string>) => decodeURIComponent(new URLSearchParams(params).toString().replace(/\+/g, '%20'));

suite('URI handler query', () => {
  const CODES = ['a+b', 'x%2By', '100%', 'ab==', 'a=b=c', 'p/q/r', 'S+/=%41z', 'with space'];

  test('codes with +, %, =, / and spaces arrive exactly as the server issued them', () => {
    for (const code of CODES) {
      const q = parseDecodedQuery(asVsCodeQuery({ code, state: 'st+1/=', iss: 'https://idp.example/tenant?x=1' }));
      assert.equal(q.get('code'), code);
      assert.equal(q.get('state'), 'st+1/=');
      assert.equal(q.get('iss'), 'https://idp.example/tenant?x=1');
    }
  });

  test('parameters without a value and empty parts are kept or skipped as a query would have them', () => {
    const q = parseDecodedQuery('error=access_denied&&flag&state=s');
    assert.deepEqual([...q], [['error', 'access_denied'], ['flag', ''], ['state', 's']]);
  });

  test('deliver() hands the pending sign-in the undecoded code', async () => {
    const callbacks = new UriCallbacks(() => {});
    const ac = new AbortController();
    const waiting = callbacks.wait('s+1', ac.signal);
    assert.equal(callbacks.deliver('/callback', asVsCodeQuery({ code: 'S+/=%41z', state: 's+1' })), true);
    assert.equal((await waiting).get('code'), 'S+/=%41z');
  });
});
