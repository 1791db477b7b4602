// The URI handler's query (src/vscode/uriCallbacks.ts) is decoded exactly once. A desktop workbench hands over `uri.query`
// already percent-decoded (URI.parse), so it must not be decoded again: a second decoding turns `+` into a space and
// `%2B` into `+`, and the code exchange fails. A browser workbench's callback page hands it over form-encoded
// (URLSearchParams.toString() in callback.html), so there it is decoded once.
import * as assert from 'node:assert/strict';
import { parseDecodedQuery, UriCallbacks } from '../../../src/vscode/uriCallbacks';

/** What VS Code's handler receives for a callback the IdP built with proper encoding: the decoded query. */
const asVsCodeQuery = (params: Record<string, string>) =>
  decodeURIComponent(new URLSearchParams(params).toString().replace(/\+/g, '%20'));

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
    assert.deepEqual(
      [...q],
      [
        ['error', 'access_denied'],
        ['flag', ''],
        ['state', 's'],
      ],
    );
  });

  test('a browser workbench: the form-encoded query of callback.html is decoded once', async () => {
    const callbacks = new UriCallbacks(() => {}, 'form');
    for (const code of CODES) {
      const ac = new AbortController();
      const waiting = callbacks.wait('s+1', ac.signal);
      // What callback.html stores: the IdP's parameters re-serialised by URLSearchParams.
      const query = new URLSearchParams({
        'vscode-reqid': '1',
        code,
        state: 's+1',
        iss: 'https://idp.example/t',
      }).toString();
      assert.equal(callbacks.deliver('/callback', query), true);
      const got = await waiting;
      assert.deepEqual([got.get('code'), got.get('iss')], [code, 'https://idp.example/t']);
    }
  });

  test('a desktop workbench: deliver() hands the pending sign-in the code as it is', async () => {
    const callbacks = new UriCallbacks(() => {});
    const ac = new AbortController();
    const waiting = callbacks.wait('s+1', ac.signal);
    assert.equal(callbacks.deliver('/callback', asVsCodeQuery({ code: 'S+/=%41z', state: 's+1' })), true);
    assert.equal((await waiting).get('code'), 'S+/=%41z');
  });

  test('an answer that arrives after the sign-in was cancelled is explained once, never used', async () => {
    let t = 0;
    const callbacks = new UriCallbacks(
      () => {},
      'decoded',
      () => t,
    );
    let late = 0;
    callbacks.onLateAnswer = () => {
      late++;
    };
    const ac = new AbortController();
    const waiting = callbacks.wait('st-1', ac.signal);
    ac.abort(new Error('cancelled'));
    await assert.rejects(waiting);
    assert.equal(callbacks.deliver('/callback', 'code=abc&state=st-1'), false);
    assert.equal(late, 1);
    assert.equal(callbacks.deliver('/callback', 'code=abc&state=st-1'), false, 'a replay of the same answer');
    assert.equal(late, 1, 'told once');
    assert.equal(callbacks.deliver('/callback', 'code=abc&state=never-seen'), false);
    assert.equal(late, 1, 'an unknown state is not "late"');
    const ac2 = new AbortController();
    void callbacks.wait('st-2', ac2.signal).catch(() => undefined);
    ac2.abort(new Error('timeout'));
    t += 16 * 60_000;
    assert.equal(callbacks.deliver('/callback', 'code=abc&state=st-2'), false);
    assert.equal(late, 1, 'forgotten after 15 minutes');
  });
});
