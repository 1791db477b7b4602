// The device code flow as a person does it in the workbench: the modal with the code → "Copy & Open" → the AS's
// verification page in a new tab → Continue (oidc-provider's pages).
import * as assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { clickDialogButton } from './uiHarness';

/** The device code modal: waits for it, checks it shows a user code, clicks "Copy & Open", and returns the new tab. */
export async function copyAndOpen(
  page: Page,
  context: BrowserContext,
): Promise<{ code: string; dialog: string; tab: Page }> {
  const title = page.locator('.monaco-dialog-box', { hasText: /Your code:/ }).first();
  await title.waitFor({ timeout: 30_000 });
  const opened = context.waitForEvent('page', { timeout: 30_000 });
  const dialog = await clickDialogButton(page, 'Copy & Open', 5_000);
  const code = /Your code: ([A-Z]{4}-[A-Z]{4})/.exec(dialog)?.[1];
  assert.ok(code, `no user code in the modal: ${dialog}`);
  return { code, dialog, tab: await opened };
}

/** On oidc-provider's device confirmation page (opened with verification_uri_complete): Continue, then its success page. */
export async function confirmDeviceCode(tab: Page, code: string): Promise<void> {
  await tab.waitForLoadState('load', { timeout: 30_000 });
  const cont = tab.locator('button[type="submit"]:not([name="abort"])', { hasText: 'Continue' }).first();
  await cont.waitFor({ timeout: 30_000 });
  const input = tab.locator('input[name="user_code"][type="text"]');
  if (await input.count()) await input.fill(code);
  await cont.click();
  await tab.waitForFunction(() => /success/i.test(document.body?.innerText ?? ''), undefined, { timeout: 30_000 });
}
