// The VSIX users install (`npm run package` → oauth-accounts.vsix): exactly the files the extension needs, the
// README's links resolved, and a size that shows nothing big slipped in. CI packages before `npm test`; run alone,
// this packages once if the file is missing. The UI suite installs the same file into code-server (vsix.ui.test).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { REPO_ROOT } from '../host/codeServer';

export const VSIX = process.env.OAUTH_TEST_VSIX || path.join(REPO_ROOT, 'oauth-accounts.vsix');

interface Entry {
  name: string;
  size: number;
  method: number;
  offset: number;
  compressed: number;
}
/** The zip's central directory (same reading as scripts/vsixFiles.mjs, plus where each entry's data is). */
function entries(buf: Buffer): Entry[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'the VSIX is a zip file');
  const out: Entry[] = [];
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    const nameLen = buf.readUInt16LE(p + 28);
    out.push({
      name: buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
      method: buf.readUInt16LE(p + 10),
      compressed: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}
function readBytes(buf: Buffer, e: Entry): Buffer {
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.compressed);
  return e.method === 8 ? inflateRawSync(data) : data;
}
const read = (buf: Buffer, e: Entry) => readBytes(buf, e).toString('utf8');

suite('VSIX (npm run package)', function () {
  this.timeout(120_000);
  let buf: Buffer;
  suiteSetup(() => {
    if (!fs.existsSync(VSIX))
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs')], {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      });
    buf = fs.readFileSync(VSIX);
  });

  test('holds only the bundles, callback pages, icon, manifest, README, CHANGELOG and LICENSE', () => {
    const names = entries(buf)
      .map((e) => e.name)
      .sort();
    assert.deepEqual(names, [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/LICENSE.txt',
      'extension/changelog.md',
      'extension/dist/engine.js',
      'extension/dist/extension.js',
      'extension/dist/web/engine.js',
      'extension/dist/web/extension.js',
      'extension/media/callback-denied.html',
      'extension/media/callback-failed.html',
      'extension/media/callback-success.html',
      'extension/media/icon.png',
      'extension/package.json',
      'extension/readme.md',
    ]);
  });

  test('every page the extension loads from media/ at run time is inside', () => {
    const names = entries(buf).map((e) => e.name);
    const loaded = [
      ...fs.readFileSync(path.join(REPO_ROOT, 'src', 'extension.ts'), 'utf8').matchAll(/media\('([^']+)'\)/g),
    ].map((m) => m[1]);
    assert.ok(loaded.length >= 3, `pages found in src/extension.ts: ${loaded.join(', ')}`);
    for (const page of loaded)
      assert.ok(
        names.includes(`extension/media/${page}`),
        `${page} is loaded by the extension but missing from the VSIX`,
      );
  });

  test('is small: production bundles (no source maps, no node_modules), under 200 KB', () => {
    assert.ok(buf.length < 200 * 1024, `${buf.length} bytes`);
    for (const name of [
      'extension/dist/extension.js',
      'extension/dist/engine.js',
      'extension/dist/web/extension.js',
      'extension/dist/web/engine.js',
    ]) {
      const bundle = read(
        buf,
        entries(buf).find((e) => e.name === name)!,
      );
      assert.doesNotMatch(bundle, /sourceMappingURL/, `${name}: minified production build, not the development one`);
    }
  });

  test('the shipped README has no relative links left (they would be broken on the extension page)', () => {
    const readme = read(
      buf,
      entries(buf).find((e) => e.name === 'extension/readme.md')!,
    );
    const relative = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)]+)\)/g)].map((m) => m[1]);
    assert.deepEqual(relative, []);
  });

  test('the manifest names its 128x128 PNG icon and an https repository', () => {
    const pkg = JSON.parse(
      read(
        buf,
        entries(buf).find((e) => e.name === 'extension/package.json')!,
      ),
    ) as { icon?: string; repository?: { url?: string } };
    assert.equal(pkg.icon, 'media/icon.png');
    assert.match(pkg.repository?.url ?? '', /^https:\/\//);
    const png = readBytes(
      buf,
      entries(buf).find((e) => e.name === 'extension/media/icon.png')!,
    );
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });
});
