import * as assert from 'node:assert/strict';
import { parseProvider } from '../../../../src/protocol/config';
import { fillTemplate } from '../../../../src/protocol/presets';
import { PRESETS } from '../../../../src/vscode/wizard/presetGuide';
import { NODE_FLOWS } from '../../../../src/flows/node';
import {
  buildEntry,
  describeCapabilities,
  describeRedirects,
  redirectLines,
  suggestId,
} from '../../../../src/vscode/wizard/entryBuilder';

const SAMPLE_ANSWERS: Record<string, string> = {
  base: 'https://idp.example.com/',
  realm: 'main',
  domain: 'example.okta.com',
  server: 'default',
  tenant: 'contoso.onmicrosoft.com',
  issuer: 'https://sso.example.com',
  audience: 'https://api.example.com',
};

/** The flows the Node build ships, by id (what the wizard gets from the entry point). */
const shipped = (...ids: string[]) => ids.map((id) => NODE_FLOWS.find((f) => f.id === id)!);

suite('providerSetup: Add Identity Provider (pure parts)', () => {
  for (const preset of PRESETS) {
    test(`preset ${preset.id} produces a valid settings entry`, () => {
      const entry = buildEntry(preset, SAMPLE_ANSWERS, { id: preset.id, label: preset.label, clientId: 'client-1' });
      const parsed = parseProvider(entry);
      assert.ok(!('problem' in parsed), JSON.stringify('problem' in parsed ? parsed.problem : undefined));
      assert.ok(!/\{\w+\}/.test(JSON.stringify(entry)), 'no unfilled placeholders');
    });
  }

  test('templates: trailing slashes trimmed, Auth0 keeps its issuer slash, audience becomes a parameter', () => {
    assert.equal(fillTemplate('{base}/realms/{realm}', SAMPLE_ANSWERS), 'https://idp.example.com/realms/main');
    const auth0 = buildEntry(
      PRESETS.find((p) => p.id === 'auth0')!,
      SAMPLE_ANSWERS,
      { id: 'a', label: 'A', clientId: 'c' },
    );
    assert.equal(auth0.issuer, 'https://example.okta.com/');
    assert.deepEqual(auth0.authorizationParameters, { audience: 'https://api.example.com' });
    assert.deepEqual(Object.keys(auth0).slice(0, 4), ['id', 'label', 'issuer', 'clientId']);
  });

  test('suggested ids are slugs and unique', () => {
    assert.equal(suggestId('Contoso (Entra ID)', new Set()), 'contoso-entra-id');
    assert.equal(suggestId('Okta', new Set(['okta', 'okta-2'])), 'okta-3');
    assert.equal(suggestId('!!!', new Set()), 'idp');
  });

  test('capabilities summary names what the server supports', () => {
    const lines = describeCapabilities({
      issuer: 'https://i',
      authorization_endpoint: 'https://i/a',
      code_challenge_methods_supported: ['S256'],
      revocation_endpoint: 'https://i/r',
    });
    assert.ok(lines.includes('✓ PKCE S256'));
    assert.ok(lines.includes('✗ Device code sign-in (for remote and headless windows)'));
    assert.ok(lines.includes('✓ Token revocation on sign-out'));
  });

  test('redirect URIs: what this window sends for each flow the table picked, in that order', () => {
    const desktop = redirectLines(shipped('loopback', 'uri-handler'), 'vscode://openauth.oauth-accounts/callback');
    assert.deepEqual(
      desktop.map((l) => l.register),
      ['http://127.0.0.1/callback', 'vscode://openauth.oauth-accounts/callback'],
    );
    assert.match(
      desktop[0].note ?? '',
      /"loopbackPorts": \[8400\]/,
      'what to do for a server that matches ports exactly',
    );
    // The wizard's "Use Fixed Ports...": exactly those URIs, each to register (and to copy).
    const fixed = redirectLines(shipped('loopback'), 'vscode://openauth.oauth-accounts/callback', [8400, 8401]);
    assert.deepEqual(fixed[0].registerEach, ['http://127.0.0.1:8400/callback', 'http://127.0.0.1:8401/callback']);
    assert.match(
      describeRedirects(fixed),
      /register: http:\/\/127\.0\.0\.1:8400\/callback and http:\/\/127\.0\.0\.1:8401\/callback/,
    );
    // code-server: asExternalUri gives the workbench's callback page with a per-request query.
    const web =
      'http://127.0.0.1:8080/stable-53c2f32/callback?vscode-reqid=3&vscode-scheme=code-oss&vscode-authority=openauth.oauth-accounts&vscode-path=/callback';
    const remote = redirectLines(shipped('uri-handler', 'device-code'), web);
    assert.equal(remote[0].sends, web);
    assert.equal(remote[0].register, 'http://127.0.0.1:8080/stable-53c2f32/callback');
    assert.match(remote[0].note ?? '', /changes on every sign-in/);
    assert.equal(remote[1].register, undefined, 'the device code flow has no redirect URI');
    const text = describeRedirects(remote);
    assert.match(
      text,
      /VS Code URI handler\n {4}register: http:\/\/127\.0\.0\.1:8080\/stable-53c2f32\/callback\n {4}sends: .*vscode-reqid=3/,
    );
    assert.doesNotMatch(text, /127\.0\.0\.1\/callback/, 'no loopback advice where loopback is not used');
    assert.match(describeRedirects([]), /no sign-in method works/);
  });
});
