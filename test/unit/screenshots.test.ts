// The screenshots in README.md and docs/ show today's UI: media/screenshots/screenshots.json (written by
// test/ui/readmeShots.ts whenever a UI test takes a screenshot) records the content hash of every file that draws
// each one; this suite recomputes them and names the screenshot, the changed file and the command that takes it
// again. It also checks that every picture the documentation links exists and is in the manifest.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../host/codeServer';
import {
  contentHash,
  expandSources,
  MANIFEST,
  readManifest,
  recordScreenshot,
  regenerateCommand,
  README_SCREENSHOTS,
  SCREENSHOT_DIR,
  type ReadmeScreenshot,
} from '../ui/readmeShots';

type Table = Partial<Record<ReadmeScreenshot, { test: string; drawnBy: readonly string[] }>>;

/** Every way the screenshots in `table` can be out of date under `root`, one sentence each. */
function staleness(root: string, table: Table): string[] {
  const manifest = readManifest(root).screenshots;
  const problems: string[] = [];
  for (const [name, want] of Object.entries(table) as Array<[ReadmeScreenshot, NonNullable<Table[ReadmeScreenshot]>]>) {
    const redo = `take it again: ${regenerateCommand(name)}`;
    const png = path.join(root, SCREENSHOT_DIR, `${name}.png`);
    const entry = manifest[name];
    if (!fs.existsSync(png)) {
      problems.push(`${SCREENSHOT_DIR}/${name}.png is missing; ${redo}`);
      continue;
    }
    if (!entry) {
      problems.push(`${name}: not in ${MANIFEST}; ${redo}`);
      continue;
    }
    if (entry.png !== contentHash(png))
      problems.push(
        `${name}: ${SCREENSHOT_DIR}/${name}.png is not the picture ${MANIFEST} records (replaced by hand?); ${redo}`,
      );
    if (JSON.stringify(entry.drawnBy) !== JSON.stringify(want.drawnBy)) {
      problems.push(
        `${name}: the files that draw it are now ${JSON.stringify(want.drawnBy)} (test/ui/readmeShots.ts), the manifest has ${JSON.stringify(entry.drawnBy)}; ${redo}`,
      );
    }
    const now = expandSources(want.drawnBy, root);
    for (const f of now) {
      if (!fs.existsSync(path.join(root, f)))
        problems.push(
          `${name}: ${f} no longer exists (moved? update README_SCREENSHOTS in test/ui/readmeShots.ts); ${redo}`,
        );
      else if (!(f in entry.files)) problems.push(`${name}: ${f} is new since the screenshot was taken; ${redo}`);
      else if (entry.files[f] !== contentHash(path.join(root, f)))
        problems.push(`${name}: ${f} changed since the screenshot was taken; ${redo}`);
    }
    for (const f of Object.keys(entry.files)) {
      if (!now.includes(f))
        problems.push(`${name}: ${f} drew it but is gone from ${JSON.stringify(want.drawnBy)}; ${redo}`);
    }
  }
  for (const name of Object.keys(manifest)) {
    if (!(name in table))
      problems.push(
        `${MANIFEST} records "${name}", which README_SCREENSHOTS in test/ui/readmeShots.ts no longer names: remove the entry and its PNG`,
      );
  }
  return problems;
}

/** The Markdown files of the documentation: README, CONTRIBUTING, SECURITY, CHANGELOG and docs/. */
function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir).flatMap((n) => {
      const p = path.join(dir, n);
      return fs.statSync(p).isDirectory() ? walk(p) : p.endsWith('.md') ? [p] : [];
    });
  return [
    ...['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md']
      .map((f) => path.join(REPO_ROOT, f))
      .filter((f) => fs.existsSync(f)),
    ...walk(path.join(REPO_ROOT, 'docs')),
  ];
}

suite('README screenshots (media/screenshots/screenshots.json)', () => {
  test('no screenshot is older than the code that draws it', () => {
    const problems = staleness(REPO_ROOT, README_SCREENSHOTS);
    assert.deepEqual(
      problems,
      [],
      `\n${problems.join('\n')}\n(OAUTH_TEST_CACHE may point at an installed test host; see CONTRIBUTING.md, "Screenshots")`,
    );
  });

  test('every picture the README and docs/ show exists and is in the manifest', () => {
    const manifest = readManifest().screenshots;
    const problems: string[] = [];
    let pictures = 0;
    for (const md of docFiles()) {
      const text = fs.readFileSync(md, 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+\.png)(?:\s+"[^"]*")?\)|<img[^>]*\ssrc="([^"]+\.png)"/g)) {
        const ref = m[1] ?? m[2];
        if (/^[a-z]+:/i.test(ref)) continue;
        pictures++;
        const file = path
          .relative(REPO_ROOT, path.resolve(path.dirname(md), ref))
          .split(path.sep)
          .join('/');
        const where = `${path.relative(REPO_ROOT, md)} shows ${ref}`;
        if (!fs.existsSync(path.join(REPO_ROOT, file))) problems.push(`${where}, which does not exist`);
        else {
          const name = path.posix.basename(file, '.png');
          if (path.posix.dirname(file) !== SCREENSHOT_DIR || !(name in README_SCREENSHOTS))
            problems.push(`${where}, which no UI test takes: add it to README_SCREENSHOTS in test/ui/readmeShots.ts`);
          else if (!manifest[name])
            problems.push(
              `${where}, which ${MANIFEST} does not record; take it again: ${regenerateCommand(name as ReadmeScreenshot)}`,
            );
        }
      }
    }
    assert.ok(pictures > 0, 'the README shows screenshots');
    assert.deepEqual(problems, []);
  });

  test('the check can fail: a changed, a new and a missing file are each named with the command to take the screenshot again', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shots-'));
    try {
      const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      };
      // A copy of the parts of the tree the real entries name, with made-up content.
      for (const [name, { drawnBy }] of Object.entries(README_SCREENSHOTS)) {
        write(`${SCREENSHOT_DIR}/${name}.png`, `\x89PNG\0${name}`);
        for (const p of drawnBy) write(p.endsWith('/') ? `${p}a.js` : p, `// ${p}\r\n`);
        recordScreenshot(name as ReadmeScreenshot, root);
      }
      assert.deepEqual(staleness(root, README_SCREENSHOTS), []);
      // Line ends alone change nothing (a Windows checkout).
      write('src/vscode/tokenDetails.ts', '// src/vscode/tokenDetails.ts\n');
      assert.deepEqual(staleness(root, README_SCREENSHOTS), []);

      write('src/vscode/tokenDetails.ts', '// a new look\n');
      const changed = staleness(root, README_SCREENSHOTS);
      assert.equal(changed.length, 1, changed.join('\n'));
      assert.match(
        changed[0],
        /^token-details: src\/vscode\/tokenDetails\.ts changed since the screenshot was taken; take it again: .*OAUTH_UPDATE_SCREENSHOTS=1 .*out\/test\/ui\/addProvider\.ui\.test\.js$/,
      );

      write('examples/demo-consumer/b.js', '// new');
      const added = staleness(root, { 'demo-api-result': README_SCREENSHOTS['demo-api-result'] });
      assert.ok(
        added.some((p) =>
          /^demo-api-result: examples\/demo-consumer\/b\.js is new .*out\/test\/ui\/demo\.ui\.test\.js$/.test(p),
        ),
        added.join('\n'),
      );

      fs.rmSync(path.join(root, 'src/vscode/wizard/presetGuide.ts'));
      const missing = staleness(root, { 'wizard-register-redirects': README_SCREENSHOTS['wizard-register-redirects'] });
      assert.ok(
        missing.some((p) =>
          /^wizard-register-redirects: src\/vscode\/wizard\/presetGuide\.ts no longer exists .*readmeShots\.ts.*addProvider\.ui\.test\.js$/.test(
            p,
          ),
        ),
        missing.join('\n'),
      );

      fs.writeFileSync(path.join(root, SCREENSHOT_DIR, 'token-details.png'), '\x89PNG\0other');
      assert.ok(
        staleness(root, { 'token-details': README_SCREENSHOTS['token-details'] }).some((p) =>
          /is not the picture/.test(p),
        ),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
