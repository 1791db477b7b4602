import * as assert from 'node:assert/strict';
import { SessionIndex } from '../../../src/sessions/sessionIndex';
import type { StoredSession } from '../../../src/sessions/sessionStore';

const session = (id: string, scopes: string[], defaultScopes: string[], account = 'a'): StoredSession => ({
  v: 1,
  id,
  account: { id: account, label: account },
  scopes,
  defaultScopes,
  createdAt: 0,
  tokens: { accessToken: id, tokenType: 'bearer' },
});

suite('sessionIndex', () => {
  const index = new SessionIndex([
    ['s1', session('s1', ['email', 'openid', 'profile'], ['email', 'openid', 'profile'])],
    ['s2', session('s2', ['api.read', 'email', 'openid', 'profile'], ['email', 'openid', 'profile'])],
    ['s3', session('s3', ['email', 'openid', 'profile'], ['email', 'openid', 'profile'], 'b')],
    ['s4', session('s4', ['read'], [])],
  ]);
  const ids = (l: StoredSession[]) => l.map((s) => s.id).sort();

  test('a request matches sessions whose scopes equal it plus their defaults', () => {
    assert.deepEqual(ids(index.matching([])), ['s1', 's3']);
    assert.deepEqual(ids(index.matching(['openid'])), ['s1', 's3']);
    assert.deepEqual(ids(index.matching(['api.read'])), ['s2']);
    assert.deepEqual(ids(index.matching(['read'])), ['s4']);
    assert.deepEqual(ids(index.matching(['write'])), []);
    assert.deepEqual(ids(index.matching(undefined)), ['s1', 's2', 's3', 's4']);
    assert.deepEqual(ids(index.matching(['openid'], 'b')), ['s3']);
  });

  test('changes invalidate the index', () => {
    const copy = new SessionIndex(index);
    assert.deepEqual(ids(copy.matching(['api.read'])), ['s2']);
    copy.delete('s2');
    assert.deepEqual(ids(copy.matching(['api.read'])), []);
    copy.set('s5', session('s5', ['api.read', 'email', 'openid', 'profile'], ['email', 'openid', 'profile']));
    assert.deepEqual(ids(copy.matching(['api.read'])), ['s5']);
  });
});
