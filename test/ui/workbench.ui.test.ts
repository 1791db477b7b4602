// Proves the UI harness: the real workbench loads this extension as a development extension and its
// contributed commands show up in the command palette with their category.
import * as assert from 'node:assert/strict';
import { commandPaletteItems, screenshot, startWorkbench, Workbench } from './uiHarness';

suite('UI: workbench', function () {
  // code-server + chromium + workbench load take ~5-10 s; 2 slow CI cores can take several times that.
  this.timeout(180_000);
  let wb: Workbench | undefined;

  suiteSetup(async () => {
    wb = await startWorkbench();
  });
  suiteTeardown(async () => {
    await wb?.close();
  });
  teardown(async function () {
    // Keep evidence of what the page looked like when a UI assertion fails.
    if (this.currentTest?.state === 'failed' && wb)
      await screenshot(wb.page, `failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
  });

  test('the command palette lists "OAuth Accounts: Sign In..."', async () => {
    const page = wb!.page;
    const items = await commandPaletteItems(page, 'OAuth Accounts: Sign In');
    await screenshot(page, 'ui-command-palette');
    await page.keyboard.press('Escape');
    assert.ok(items.includes('OAuth Accounts: Sign In...'), `palette rows: ${JSON.stringify(items)}`);
  });
});
