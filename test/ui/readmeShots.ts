/** Screenshots the README shows, made by the UI tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../host/codeServer';
import { screenshot } from './uiHarness';

const SHOTS = path.join(REPO_ROOT, 'media', 'screenshots');

/** Saves evidence under test-results/ on every run, and the README's copy in media/screenshots/ when it is missing
 * or OAUTH_UPDATE_SCREENSHOTS=1: ports and times differ per run, so rewriting it always would dirty the tree. */
export async function readmeShot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  const readmeCopy = path.join(SHOTS, `${name}.png`);
  if (process.env.OAUTH_UPDATE_SCREENSHOTS === '1' || !fs.existsSync(readmeCopy)) {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.copyFileSync(file, readmeCopy);
  }
}
