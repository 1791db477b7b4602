// "Add MCP Server..." in the real workbench, as a person does it: the MCP server's URL (the official SDK's server,
// publishing RFC 9728 metadata that names the real oidc-provider), resource-indicator binding, dynamic registration,
// scopes, name, the dialog that says where tokens will go, Sign In; then the status command shows the account.
// (VS Code's own MCP client starting the server through the bridge: test/integration/mcpBridge.test.ts.)
import * as assert from 'node:assert/strict';
import { saveScreenshot } from '../host/codeServer';
import { startOpProcess, type OpProcess } from '../support/op';
import { startMcpServer, type TestMcpServer } from '../support/mcpServer';
import { jwtVerifier } from '../support/jwtAccessTokens';
import {
  answerQuickInput,
  clickDialogButton,
  clickNotificationButton,
  pickQuickInputRow,
  runCommand,
  startWorkbench,
  type Workbench,
} from './uiHarness';

const ROW = '.quick-input-widget .quick-input-list .monaco-list-row';

suite('UI: Add MCP Server from its URL', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;
  let mcp: TestMcpServer | undefined;

  suiteSetup(async () => {
    mcp = await startMcpServer();
    op = await startOpProcess({ registration: true, resourceIndicators: [mcp.url] });
    mcp.verifyWith(jwtVerifier(op.issuer, mcp.url), op.issuer);
    wb = await startWorkbench({ trustedOrigins: [op.issuer] });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
    await mcp?.stop();
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb)
      await saveScreenshot(wb.page, `failed-mcp-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 50)}`).catch(
        () => undefined,
      );
  });

  test('URL → metadata → registered provider → approved server → signed in, shown in the status', async () => {
    const page = wb!.page;
    await runCommand(page, 'OAuth Accounts: Add MCP Server...');
    await answerQuickInput(page, mcp!.url);
    await pickQuickInputRow(page, 'Resource indicator');
    const paths = await pickQuickInputRow(page, 'Register automatically');
    assert.ok(
      paths[0].includes('Enter a client id'),
      `the specification's order, pre-registered first: ${paths.join(' / ')}`,
    );
    await answerQuickInput(page, 'api:read'); // scopes (the server lists api:read api:write)
    await answerQuickInput(page); // the suggested name, from the metadata's resource_name
    const where = await clickDialogButton(page, 'Add', 30_000);
    assert.ok(where.includes(mcp!.url), where);
    const opened = wb!.context.waitForEvent('page', { timeout: 60_000 });
    await clickNotificationButton(page, /Added MCP server "Test MCP"/, 'Sign In', 30_000);
    const tab = await opened;
    await tab.waitForURL(/\/callback\?/, { timeout: 30_000 }).catch(() => undefined);
    await tab.close().catch(() => undefined);

    let status: string[] = [];
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      await runCommand(page, 'OAuth Accounts: Show MCP Server Status');
      await page.locator(ROW).first().waitFor({ timeout: 15_000 });
      status = await page.locator(ROW).allInnerTexts();
      await page.keyboard.press('Escape');
      if (status.some((s) => s.includes('signed in as alice'))) break;
      await page.waitForTimeout(500);
    }
    assert.ok(
      status.some((s) => s.includes('Test MCP') && s.includes('signed in as alice')),
      JSON.stringify(status),
    );
    assert.equal((await op!.stats()).routes.registration ?? 0, 1, 'one dynamic registration');
  });
});
