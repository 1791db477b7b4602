/**
 * SessionKeeper.refreshRejected: a resource server refused a token that looks fresh by the clock (the MCP bridge's
 * 401 case). One refresh, single flight, in step with other windows; never a second refresh for the same refusal.
 */
import * as assert from 'node:assert/strict';
import { startOpProcess, type OpProcess } from '../../support/op';
import { signedInWindows } from '../../support/keeperHarness';

suite('sessionKeeper: a token refused before its time is refreshed once', function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 300, clockTolerance: 0, rotateRefreshToken: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  const signedIn = (windows = 1) => signedInWindows(op, windows);

  test('a fresh token refused: refreshed now (same session id), 20 callers with that refusal share one refresh', async () => {
    const {
      ws: [w],
      session,
    } = await signedIn();
    const rejected = session.tokens.accessToken;
    const results = await Promise.all(Array.from({ length: 20 }, () => w.keeper.refreshRejected('s1', rejected)));
    const tokens = new Set(results.map((s) => s!.tokens.accessToken));
    assert.equal(tokens.size, 1);
    assert.ok(!tokens.has(rejected));
    assert.equal(results[0]!.id, 's1');
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    // The same refusal reported late (its token is already replaced): the current token, no second refresh.
    assert.equal((await w.keeper.refreshRejected('s1', rejected))!.tokens.accessToken, results[0]!.tokens.accessToken);
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    w.keeper.dispose();
  });

  test('two windows refused the same token: one refreshes, the other adopts its tokens', async () => {
    const {
      ws: [a, b],
      session,
    } = await signedIn(2);
    const rejected = session.tokens.accessToken;
    const fromB = await b.keeper.refreshRejected('s1', rejected);
    const fromA = await a.keeper.refreshRejected('s1', rejected);
    assert.equal(fromA!.tokens.accessToken, fromB!.tokens.accessToken);
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    assert.equal(a.signedOut.length + b.signedOut.length, 0);
    a.keeper.dispose();
    b.keeper.dispose();
  });

  test('a signed-out session is not brought back', async () => {
    const {
      ws: [w],
      session,
    } = await signedIn();
    await w.keeper.remove('s1', 'signed out');
    assert.equal(await w.keeper.refreshRejected('s1', session.tokens.accessToken), undefined);
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 0);
    w.keeper.dispose();
  });
});
