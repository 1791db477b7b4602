// The "no secrets in logs" check (test/host/leakCheck.ts) must be able to fail: its matcher, a deliberately leaking
// capture file, the test AS's record of what it issued (test/fixtures/op/opHarness.mjs, OAUTH_TEST_ISSUED_FILE),
// and the rule that notifications in src/ go through src/vscode/notify.ts (the capture sees only what passes there).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as client from 'openid-client';
import { redact } from '../../src/vscode/redact';
import { checkLeaks, findLeaks, leakCheckFiles, leakFailure, MIN_SECRET_LENGTH, secretPrefix } from '../host/leakCheck';
import { CONFIDENTIAL_SECRET, TEST_CLIENTS, startOpProcess } from '../support/op';

const ROOT = path.join(__dirname, '..', '..', '..');
const ACCESS = 'Zq3vYb8xK1m-pT0aLw9eRc7uNf2hJs5dGi4oQy6kVb8';
const JWT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QtZXMyNTYifQ.eyJzdWIiOiJhbGljZSIsIm5vbmNlIjoiYWJjIn0.MEUCIQDx3u9y6vKq2b0Tn8sZ1wL4p7c5a3e2f1g0h9i8j7k6';

suite('leak check', () => {
  test('flags a line containing an issued token, and never prints the whole secret', () => {
    const leaks = findLeaks(
      [ACCESS],
      [`[info] [op] token response: access_token ${ACCESS} expires in 300 s`, '[info] unrelated'],
    );
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0].lineNo, 1);
    assert.equal(leaks[0].secret, secretPrefix(ACCESS));
    assert.ok(
      !leaks[0].secret.includes(ACCESS) && !leaks[0].line.includes(ACCESS),
      'a report must not leak the secret itself',
    );
  });

  test('does not flag the same line after redaction', () => {
    const raw = `POST /token code=${ACCESS}&code_verifier=${ACCESS}x {"access_token":"${ACCESS}","id_token":"${JWT}"} Authorization: Bearer ${ACCESS}`;
    assert.equal(findLeaks([ACCESS, `${ACCESS}x`, JWT], [raw]).length, 3);
    assert.deepEqual(findLeaks([ACCESS, `${ACCESS}x`, JWT], [redact(raw)]), []);
  });

  test('flags a JWT cut at its signature', () => {
    const sig = JWT.split('.')[2];
    assert.equal(findLeaks([JWT], [`signature was ${sig}`]).length, 1);
  });

  test(`ignores secrets shorter than ${MIN_SECRET_LENGTH} characters (they match ordinary text by chance)`, () => {
    assert.deepEqual(findLeaks(['abc', 'state12'], ['abc state12 trace']), []);
    assert.equal(findLeaks(['abcdefgh'], ['abcdefgh']).length, 1);
  });

  test('a deliberately leaking capture file fails the check; a clean one passes', () => {
    const f = leakCheckFiles();
    try {
      fs.writeFileSync(f.issuedFile, `${ACCESS}\n${JWT}\nshort\n`);
      fs.writeFileSync(f.logFile, '[info] activated\n[notification info] Signed in to Test as alice.\n');
      const clean = checkLeaks(f);
      assert.deepEqual(
        { issued: clean.issued, scanned: clean.scanned, leaks: clean.leaks.length },
        { issued: 2, scanned: 2, leaks: 0 },
      );
      assert.equal(leakFailure(clean), undefined);
      assert.equal(
        clean.summary,
        'secrets leaked: 0 (2 secrets issued, 2 lines scanned); live links: 0 (1 workbench texts)',
      );
      fs.appendFileSync(f.logFile, `[notification error] Sign in failed: invalid_grant for refresh token ${ACCESS}\n`);
      const leaky = checkLeaks(f);
      assert.equal(leaky.leaks.length, 1);
      assert.match(
        leakFailure(leaky)!,
        /^secrets leaked: 1 \(2 secrets issued, 3 lines scanned\); live links: 0 \(2 workbench texts\)\n {2}Zq3vYb…\(43 chars\) in captured line 3:/,
      );
      assert.ok(!leakFailure(leaky)!.includes(ACCESS));
    } finally {
      fs.rmSync(f.dir, { recursive: true, force: true });
    }
  });

  test('a live link or icon in a captured notification, input box or quick pick fails the check; the log may quote one', () => {
    const f = leakCheckFiles();
    try {
      fs.writeFileSync(f.issuedFile, `${ACCESS}\n`);
      fs.writeFileSync(
        f.logFile,
        '[warn] server said [x](command:y)\n[input] Add Identity Provider | Issuer [a] (command:b)\n[quick pick] Pick: $ (alert) x\n',
      );
      assert.equal(leakFailure(checkLeaks(f)), undefined, 'a log line and guarded texts pass');
      for (const bad of [
        '[input] Issuer [a](command:b)',
        '[input validation] [a](command:b)',
        '[quick pick] title: $(alert) x',
        '[notification error] [a](command:b)',
      ]) {
        fs.appendFileSync(f.logFile, `${bad}\n`);
        const r = checkLeaks(f);
        assert.equal(r.liveLinks.at(-1)?.line, bad);
        assert.match(leakFailure(r) ?? '', /a live link or icon in captured line/);
      }
    } finally {
      fs.rmSync(f.dir, { recursive: true, force: true });
    }
  });

  test('a scan that recorded no issued secret fails (the capture was not wired), as does one with no captured line', () => {
    const f = leakCheckFiles();
    try {
      fs.writeFileSync(f.logFile, '[info] activated\n[notification info] Signed in to Test as alice.\n');
      const noSecrets = checkLeaks(f); // the issued file was never written: the AS did not get OAUTH_TEST_ISSUED_FILE
      assert.deepEqual({ issued: noSecrets.issued, scanned: noSecrets.scanned }, { issued: 0, scanned: 2 });
      assert.match(leakFailure(noSecrets) ?? '', /recorded no issued secret, so the capture was not wired/);
      fs.writeFileSync(f.issuedFile, `${ACCESS}\n`);
      fs.writeFileSync(f.logFile, '');
      assert.match(leakFailure(checkLeaks(f)) ?? '', /captured no log line at all/);
    } finally {
      fs.rmSync(f.dir, { recursive: true, force: true });
    }
  });

  test('the test AS records the code, verifier, tokens, client secret and device code it issues or receives', async function () {
    this.timeout(20_000);
    const f = leakCheckFiles();
    const before = process.env.OAUTH_TEST_ISSUED_FILE;
    process.env.OAUTH_TEST_ISSUED_FILE = f.issuedFile; // startOpProcess passes process.env to the AS
    const op = await startOpProcess({ deviceInterval: 0.05 });
    if (before === undefined) delete process.env.OAUTH_TEST_ISSUED_FILE;
    else process.env.OAUTH_TEST_ISSUED_FILE = before;
    try {
      const insecure = { execute: [client.allowInsecureRequests] };
      const c = await client.discovery(
        new URL(op.issuer),
        TEST_CLIENTS.basic,
        undefined,
        client.ClientSecretBasic(CONFIDENTIAL_SECRET),
        insecure,
      );
      const redirect = 'http://127.0.0.1:45871/callback';
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirect,
        scope: 'openid offline_access',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const nav = await op.drive(url.href, { stopAt: redirect });
      const code = new URL(nav.url).searchParams.get('code')!;
      const tokens = await client.authorizationCodeGrant(c, new URL(nav.url), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const refreshed = await client.refreshTokenGrant(c, tokens.refresh_token!);
      const pub = await client.discovery(new URL(op.issuer), TEST_CLIENTS.public, undefined, client.None(), insecure);
      const da = await client.initiateDeviceAuthorization(pub, { scope: 'openid' });
      await op.drive(da.verification_uri_complete!);
      const device = await client.pollDeviceAuthorizationGrant(pub, da);
      const issued = new Set(fs.readFileSync(f.issuedFile, 'utf8').split('\n'));
      const expected = {
        code,
        verifier,
        clientSecret: CONFIDENTIAL_SECRET,
        access: tokens.access_token,
        refresh: tokens.refresh_token!,
        id: tokens.id_token!,
        refreshedAccess: refreshed.access_token,
        refreshedRefresh: refreshed.refresh_token!,
        deviceCode: da.device_code,
        deviceAccess: device.access_token,
      };
      for (const [name, value] of Object.entries(expected)) assert.ok(issued.has(value), `${name} not recorded`);
      assert.ok(!issued.has(da.user_code), 'the user code is shown to the user on purpose: not a secret');
      assert.ok(!issued.has(state), 'state is no secret');
    } finally {
      await op.stop();
      fs.rmSync(f.dir, { recursive: true, force: true });
    }
  });

  test('src/ puts text in the workbench only through src/vscode/notify.ts (guarded, and what the capture sees)', () => {
    // Any use of these window functions outside notify.ts, however written: `vscode.window.showInputBox(`,
    // `window['withProgress']`, `const { showQuickPick } = vscode.window`.
    const NAMES =
      'show(?:Information|Warning|Error)Message|withProgress|showInputBox|showQuickPick|createQuickPick|createInputBox|createStatusBarItem|setStatusBarMessage';
    const USES = [
      new RegExp(`\\bwindow\\s*(?:\\.\\s*|\\[\\s*['"\`])(${NAMES})\\b`, 'g'),
      new RegExp(`\\{[^}]*\\b(${NAMES})\\b[^}]*\\}\\s*=\\s*(?:vscode\\s*\\.\\s*)?window\\b`, 'g'),
    ];
    const direct: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith(`${path.sep}notify.ts`)) {
          const text = fs.readFileSync(p, 'utf8');
          for (const re of USES) for (const m of text.matchAll(re)) direct.push(`${path.relative(ROOT, p)}: ${m[1]}`);
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    assert.deepEqual(
      direct,
      [],
      'call notify.showInputBox/showQuickPick/showInformationMessage/… (src/vscode/notify.ts) instead of vscode.window.*',
    );
  });
});
