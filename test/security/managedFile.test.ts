/**
 * The managed file's path comes from a setting another extension, or a dev container's settings, can write; it is
 * read inside activate(). What such a path must not do: hang the extension host (a FIFO, a device), reach a network
 * share, count as the organisation's when anyone can write it, or put the file's text into a message.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManagedFile } from '../../src/node/managedFile';
import { parseManaged } from '../../src/settings/managedProviders';

suite('security: reading a managed file', () => {
  let dir: string;
  suiteSetup(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-managed-sec-'));
  });
  suiteTeardown(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a FIFO or a device is refused without reading it (a read would never end)', function () {
    const fifo = path.join(dir, 'fifo');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return this.skip();
    }
    assert.deepEqual(readManagedFile(fifo, true), { path: fifo, error: 'not a regular file' });
    assert.deepEqual(readManagedFile('/dev/zero', true), { path: '/dev/zero', error: 'not a regular file' });
  });

  test('relative paths and network shares are refused; a missing file is simply absent', () => {
    for (const p of ['managed.json', '\\\\evil.example\\share\\m.json', '//evil.example/share/m.json']) {
      assert.equal(readManagedFile(p, true).error, 'not an absolute local path', p);
    }
    assert.deepEqual(readManagedFile(path.join(dir, 'nope.json'), true), { path: path.join(dir, 'nope.json') });
  });

  test("a file others can write is not the organisation's", function () {
    if (process.platform === 'win32') return this.skip();
    const f = path.join(dir, 'open.json');
    fs.writeFileSync(f, '{}');
    fs.chmodSync(f, 0o666);
    assert.match(readManagedFile(f, true).error ?? '', /writable by others/);
    fs.chmodSync(f, 0o644);
    assert.equal(readManagedFile(f, true).text, '{}', "the running user's own file, in a test run");
    if (process.getuid?.() !== 0)
      assert.match(readManagedFile(f, false).error ?? '', /not owned by root/, "an installed extension wants root's");
  });

  test('a file that is not JSON: where the problem is, never what the file says', () => {
    const m = parseManaged([
      { path: '/home/u/.aws/credentials', text: '[default]\naws_secret_access_key = hunter2hunter2' },
    ]);
    assert.equal(m.problems.length, 1);
    assert.match(m.problems[0], /is not valid JSON/);
    assert.ok(!/hunter2|aws_secret|default/.test(m.problems[0]), m.problems[0]);
  });
});
