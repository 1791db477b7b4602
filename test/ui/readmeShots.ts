/**
 * Screenshots the README and docs/ show, made by the UI tests, and the manifest that says what each one shows.
 *
 * media/screenshots/screenshots.json records, for every screenshot, the files that draw it and a sha256 of each
 * file's content (content, not mtime: a clone resets mtimes). test/unit/screenshots.test.ts recomputes the hashes and
 * fails when a file changed after its screenshot was taken, naming the command that takes it again. To add a
 * screenshot: add it to README_SCREENSHOTS below, call readmeShot(page, name) in the UI test that reaches the state,
 * run that test once with OAUTH_UPDATE_SCREENSHOTS=1 and commit the PNG with the manifest.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../host/codeServer';
import { screenshot } from './uiHarness';

/** Where the README's copies and the manifest live, relative to the repository. */
export const SCREENSHOT_DIR = 'media/screenshots';
export const MANIFEST = `${SCREENSHOT_DIR}/screenshots.json`;

/**
 * Every screenshot the documentation shows: the UI test file that takes it, and the files whose content decides what
 * it shows (a folder ends in "/" and stands for every file under it). Keep each list to what draws the picture —
 * a file listed here that changes makes the screenshot stale; a file left out can change it unnoticed.
 */
export const README_SCREENSHOTS = {
  /** The demo's Accounts menu: the Demo IdP's users (demo/), the provider's label (scripts/demo.mjs), the consumer's result behind it. */
  'demo-accounts-menu': {
    test: 'test/ui/demo.ui.test.ts',
    drawnBy: ['demo/', 'examples/demo-consumer/', 'scripts/demo.mjs'],
  },
  /** "Demo: Call Protected API": the consumer's JSON document and notification, the Demo IdP's API answer. */
  'demo-api-result': {
    test: 'test/ui/demo.ui.test.ts',
    drawnBy: ['demo/', 'examples/demo-consumer/', 'scripts/demo.mjs'],
  },
  /** The wizard's "Register at …" dialog: its text (addProvider), the redirect lines (providerSetup), the preset's hint (presetGuide). */
  'wizard-register-redirects': {
    test: 'test/ui/addProvider.ui.test.ts',
    drawnBy: [
      'src/vscode/wizard/addProvider.ts',
      'src/vscode/wizard/entryBuilder.ts',
      'src/vscode/wizard/presetGuide.ts',
    ],
  },
  /** Show Token Details: the webview's HTML. */
  'token-details': { test: 'test/ui/addProvider.ui.test.ts', drawnBy: ['src/vscode/tokenDetails.ts'] },
} as const satisfies Record<string, { test: string; drawnBy: readonly string[] }>;

export type ReadmeScreenshot = keyof typeof README_SCREENSHOTS;

export interface ManifestEntry {
  /** The UI test file that takes the screenshot. */
  test: string;
  /** README_SCREENSHOTS' list when the screenshot was taken. */
  drawnBy: string[];
  /** Every file drawnBy stood for then (folders expanded), with the sha256 of its content. */
  files: Record<string, string>;
  /** sha256 of the PNG, so a picture replaced without the manifest (or the reverse) is noticed. */
  png: string;
}
export interface Manifest {
  about: string;
  screenshots: Record<string, ManifestEntry>;
}

/** sha256 of a file's content; text files with CRLF line ends (a Windows checkout) hash as with LF. */
export function contentHash(file: string): string {
  const bytes = fs.readFileSync(file);
  const text = bytes.includes(0) ? bytes : Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  return createHash('sha256').update(text).digest('hex');
}

/** The files a drawnBy list stands for, relative to the repository, sorted; a listed path that does not exist is returned as is. */
export function expandSources(drawnBy: readonly string[], root = REPO_ROOT): string[] {
  const out = new Set<string>();
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) {
      out.add(rel);
      return;
    }
    if (!fs.statSync(abs).isDirectory()) {
      out.add(rel);
      return;
    }
    for (const name of fs.readdirSync(abs)) walk(path.posix.join(rel, name));
  };
  for (const p of drawnBy) walk(p.replace(/\/+$/, ''));
  return [...out].sort();
}

/** The command that takes a screenshot again (what the unit test prints when one is stale). */
export function regenerateCommand(name: ReadmeScreenshot): string {
  const js = README_SCREENSHOTS[name].test.replace(/^test\//, 'out/test/').replace(/\.ts$/, '.js');
  return `node esbuild.mjs --tests && OAUTH_UPDATE_SCREENSHOTS=1 npx mocha --no-config --no-package --ui tdd --timeout 180000 --exit ${js}`;
}

export function readManifest(root = REPO_ROOT): Manifest {
  const file = path.join(root, MANIFEST);
  const about = `Written by test/ui/readmeShots.ts whenever a UI test writes a screenshot into ${SCREENSHOT_DIR}/; checked by test/unit/screenshots.test.ts. Do not edit by hand.`;
  if (!fs.existsSync(file)) return { about, screenshots: {} };
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  return { about, screenshots: m.screenshots ?? {} };
}

/** Records what drew the screenshot just written: the current content of each of its files. */
export function recordScreenshot(name: ReadmeScreenshot, root = REPO_ROOT): void {
  const { test, drawnBy } = README_SCREENSHOTS[name];
  const files: Record<string, string> = {};
  for (const f of expandSources(drawnBy, root)) {
    const abs = path.join(root, f);
    if (!fs.existsSync(abs))
      throw new Error(
        `README_SCREENSHOTS["${name}"] lists ${f}, which does not exist: update the list in test/ui/readmeShots.ts`,
      );
    files[f] = contentHash(abs);
  }
  const manifest = readManifest(root);
  manifest.screenshots[name] = {
    test,
    drawnBy: [...drawnBy],
    files,
    png: contentHash(path.join(root, SCREENSHOT_DIR, `${name}.png`)),
  };
  const sorted = Object.fromEntries(Object.entries(manifest.screenshots).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(
    path.join(root, MANIFEST),
    JSON.stringify({ about: manifest.about, screenshots: sorted }, null, 2) + '\n',
  );
}

/** Saves evidence under test-results/ on every run, and the README's copy in media/screenshots/ (with its manifest
 * entry) when it is missing or OAUTH_UPDATE_SCREENSHOTS=1: ports and times differ per run, so rewriting it always
 * would dirty the tree. */
export async function readmeShot(page: Page, name: ReadmeScreenshot): Promise<void> {
  const file = await screenshot(page, name);
  const readmeCopy = path.join(REPO_ROOT, SCREENSHOT_DIR, `${name}.png`);
  if (process.env.OAUTH_UPDATE_SCREENSHOTS === '1' || !fs.existsSync(readmeCopy)) {
    fs.mkdirSync(path.dirname(readmeCopy), { recursive: true });
    fs.copyFileSync(file, readmeCopy);
    recordScreenshot(name);
  }
}
