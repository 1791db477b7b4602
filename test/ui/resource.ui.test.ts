// "Add Identity Provider..." from only the URL of a protected resource (an API or MCP endpoint), in the real
// workbench: RFC 9728 metadata names the authorization server, dynamic client registration (RFC 7591) gives the client
// id — nobody types one — and the sign-in asks for tokens for that resource (RFC 8707). The resource side is a
// small mock (it only serves its metadata); the authorization server is the real oidc-provider.
import * as assert from 'node:assert/strict';
import { saveScreenshot } from '../host/codeServer';
import { startOpProcess, type OpProcess } from '../support/op';
import { startResourceServer, type ResourceServer } from '../support/resourceServer';
import {
  answerQuickInput,
  clickDialogButton,
  clickNotificationButton,
  openAccountsMenu,
  pickQuickInputRow,
  runCommand,
  startWorkbench,
  type Workbench,
} from './uiHarness';

suite('UI: from a protected resource URL to a signed-in provider', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;
  let api: ResourceServer | undefined;

  suiteSetup(async () => {
    api = await startResourceServer();
    const resource = `${api.origin}/mcp`;
    op = await startOpProcess({ registration: true, resourceIndicators: [resource] });
    api.routes.set('/.well-known/oauth-protected-resource/mcp', {
      body: { resource, authorization_servers: [op.issuer], resource_name: 'Team MCP' },
    });
    wb = await startWorkbench({ trustedOrigins: [op.issuer] });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
    await api?.stop();
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb)
      await saveScreenshot(
        wb.page,
        `failed-resource-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 50)}`,
      ).catch(() => undefined);
  });

  test('resource URL → its authorization server → registered automatically → signed in, no client id typed', async () => {
    const page = wb!.page;
    const resource = `${api!.origin}/mcp`;
    await runCommand(page, 'OAuth Accounts: Add Identity Provider...');
    await answerQuickInput(page, 'Other OpenID Connect');
    await answerQuickInput(page, resource);
    const found = await clickDialogButton(page, 'Continue', 30_000);
    assert.match(found, new RegExp(`Protected resource: ${resource.replace(/[.:/]/g, '\\$&')} \\(RFC 9728\\)`), found);
    assert.ok(api!.requests.includes('GET /.well-known/oauth-protected-resource/mcp'), api!.requests.join(', '));
    await pickQuickInputRow(page, 'Register automatically');
    await answerQuickInput(page, 'Team MCP'); // label
    await answerQuickInput(page, 'team-mcp'); // id
    const registered = await clickDialogButton(page, 'Add Provider', 30_000);
    assert.match(registered, /Registered with/, registered);
    const opened = wb!.context.waitForEvent('page', { timeout: 60_000 });
    await clickNotificationButton(page, /Added "Team MCP" to your user settings/, 'Sign In', 30_000);
    const tab = await opened;
    await tab.waitForURL(/\/callback\?/, { timeout: 30_000 }).catch(() => undefined);
    await tab.close().catch(() => undefined);
    let items: string[] = [];
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      items = await openAccountsMenu(page);
      await page.keyboard.press('Escape');
      if (items.some((i) => i.includes('alice (Team MCP)'))) break;
      await page.waitForTimeout(500);
    }
    assert.ok(
      items.some((i) => i.includes('alice (Team MCP)')),
      JSON.stringify(items),
    );
    const stats = await op!.stats();
    assert.equal(stats.routes.registration ?? 0, 1, `one dynamic registration: ${JSON.stringify(stats.routes)}`);
    assert.ok(stats.tokenByGrant.authorization_code >= 1);
  });
});
