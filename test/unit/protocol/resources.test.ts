import * as assert from 'node:assert/strict';
import { parseProvider, type ProviderConfig } from '../../../src/protocol/config';
import { bindingKey, bindingOf, parseBinding, sameBinding } from '../../../src/sessions/serverBinding';

const base = { id: 'mcp', label: 'MCP', issuer: 'https://as.example', clientId: 'c' };
const config = (extra: Record<string, unknown>): ProviderConfig => {
  const r = parseProvider({ ...base, ...extra });
  if ('problem' in r) throw new Error(r.problem.message);
  return r.config;
};

suite('resources (RFC 8707) in settings and in the server binding', () => {
  test('valid resources are kept (deduplicated); invalid ones name the field and the rule', () => {
    assert.deepEqual(config({ resources: ['https://api.example/', 'https://api.example/'] }).resources, [
      'https://api.example/',
    ]);
    const bad = (resources: unknown, re: RegExp) => {
      const r = parseProvider({ ...base, resources });
      assert.ok('problem' in r && r.problem.field === 'resources', JSON.stringify(resources));
      assert.match((r as { problem: { message: string } }).problem.message, re);
    };
    bad('https://api.example/', /list/);
    bad([], /list of 1 to 10/);
    bad(['http://api.example/'], /https/);
    bad(['https://api.example/#x'], /fragment/);
    bad(['not a url'], /not a valid URL/);
    assert.equal(config({}).resources, undefined);
  });

  test('pushedAuthorizationRequests must be a boolean', () => {
    assert.equal(config({ pushedAuthorizationRequests: true }).pushedAuthorizationRequests, true);
    assert.ok('problem' in parseProvider({ ...base, pushedAuthorizationRequests: 'yes' }));
  });

  test('a binding without resources keeps the key it had before resources existed', () => {
    const b = bindingOf(config({}));
    assert.equal(bindingKey(b), JSON.stringify(['https://as.example', null, [], 'c', null]));
  });

  test('tokens for resource A are not bound to an entry that now names resource B (or none)', () => {
    const a = bindingOf(config({ resources: ['https://a.example/'] }));
    const b = bindingOf(config({ resources: ['https://b.example/'] }));
    const none = bindingOf(config({}));
    assert.ok(!sameBinding(a, b));
    assert.ok(!sameBinding(a, none));
    assert.ok(sameBinding(a, bindingOf(config({ resources: ['https://a.example/'] }))));
    // Order does not decide where tokens go.
    assert.ok(
      sameBinding(
        bindingOf(config({ resources: ['https://a.example/', 'https://b.example/'] })),
        bindingOf(config({ resources: ['https://b.example/', 'https://a.example/'] })),
      ),
    );
  });

  test('a stored binding round-trips with its resources; a damaged list is refused', () => {
    const a = bindingOf(config({ resources: ['https://a.example/'] }));
    assert.ok(sameBinding(parseBinding(JSON.parse(JSON.stringify(a))), a));
    assert.equal(parseBinding({ ...a, resources: [1] }), undefined);
  });
});
