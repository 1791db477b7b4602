import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  selectFlows,
  whyUnavailable,
  type ExtensionHostKind,
  type FlowId,
  type FlowInfo,
  type FlowQuery,
} from '../../../src/flows/flow';
import { FLOW_SETTINGS, type FlowSetting } from '../../../src/protocol/config';
import { NODE_FLOWS } from '../../../src/flows/node';
import { WEB_FLOWS } from '../../../src/flows/web';

// The lists the entry points really ship (src/extension.ts, src/web/extension.ts pass these modules' exports).
const ROOT = join(__dirname, '..', '..', '..', '..');
const NO_DEVICE_BUILD = NODE_FLOWS.filter((f) => f.id !== 'device-code');
interface Opts {
  flows?: readonly FlowInfo[];
  device?: boolean;
  authz?: boolean;
  prefer?: boolean;
}
const q = (host: ExtensionHostKind, setting: FlowSetting, o: Opts = {}): FlowQuery => ({
  host,
  setting,
  flows: o.flows ?? (host === 'webworker' ? WEB_FLOWS : NODE_FLOWS),
  serverHasDeviceEndpoint: o.device ?? false,
  serverHasAuthorizationEndpoint: o.authz,
  preferDeviceCode: o.prefer,
});

suite('flows: selectFlows table', () => {
  const cases: Array<[string, FlowQuery, FlowId[]]> = [
    [
      'desktop, auto: the paste fallback last, where the server has no device endpoint',
      q('local', 'auto'),
      ['loopback', 'uri-handler', 'manual'],
    ],
    ['remote (SSH, container, code-server), auto', q('remote', 'auto'), ['uri-handler', 'manual']],
    ['web worker, auto', q('webworker', 'auto'), ['uri-handler', 'manual']],
    ['desktop, forced uri-handler', q('local', 'uri-handler'), ['uri-handler']],
    ['remote, forced loopback (port forwarding): honoured', q('remote', 'loopback'), ['loopback']],
    ['web worker, forced loopback: impossible', q('webworker', 'loopback'), []],
    [
      'desktop, auto, server has a device endpoint: device code last',
      q('local', 'auto', { device: true }),
      ['loopback', 'uri-handler', 'device-code'],
    ],
    ['remote, auto, device endpoint', q('remote', 'auto', { device: true }), ['uri-handler', 'device-code']],
    ['web worker, auto, device endpoint', q('webworker', 'auto', { device: true }), ['uri-handler', 'device-code']],
    ['forced device code, server has the endpoint', q('local', 'device-code', { device: true }), ['device-code']],
    ['forced device code, server lacks the endpoint', q('remote', 'device-code'), []],
    ['device code not in this build', q('local', 'device-code', { flows: NO_DEVICE_BUILD, device: true }), []],
    [
      'preferDeviceCode, desktop: device code first',
      q('local', 'auto', { device: true, prefer: true }),
      ['device-code', 'loopback', 'uri-handler'],
    ],
    ['preferDeviceCode, remote', q('remote', 'auto', { device: true, prefer: true }), ['device-code', 'uri-handler']],
    [
      'preferDeviceCode, web worker',
      q('webworker', 'auto', { device: true, prefer: true }),
      ['device-code', 'uri-handler'],
    ],
    [
      'preferDeviceCode without a device endpoint: ignored',
      q('local', 'auto', { prefer: true }),
      ['loopback', 'uri-handler', 'manual'],
    ],
    [
      'preferDeviceCode does not override a forced flow',
      q('local', 'loopback', { device: true, prefer: true }),
      ['loopback'],
    ],
    [
      'device-only server (no authorization endpoint): device code alone',
      q('local', 'auto', { device: true, authz: false }),
      ['device-code'],
    ],
    ['device-only server, remote', q('remote', 'auto', { device: true, authz: false }), ['device-code']],
    ['device-only server, forced loopback: impossible', q('local', 'loopback', { device: true, authz: false }), []],
    ['neither endpoint usable: nothing', q('remote', 'auto', { authz: false }), []],
  ];
  for (const [name, query, expected] of cases) {
    test(name, () => assert.deepEqual(selectFlows(query), expected));
  }

  test('every host × setting × server × preference combination gives a sensible answer', () => {
    const hosts: ExtensionHostKind[] = ['local', 'remote', 'webworker'];
    const settings = FLOW_SETTINGS;
    for (const host of hosts)
      for (const setting of settings)
        for (const device of [false, true])
          for (const authz of [false, true])
            for (const prefer of [false, true]) {
              const query = q(host, setting, { device, authz, prefer });
              const order = selectFlows(query);
              const where = JSON.stringify({ host, setting, device, authz, prefer });
              assert.equal(new Set(order).size, order.length, `no duplicates: ${where}`);
              for (const id of order) {
                const caps = query.flows.find((f) => f.id === id)?.capabilities;
                assert.ok(caps, `only flows this build ships: ${where}`);
                if (caps.needsDeviceEndpoint) assert.ok(device, `device code needs the endpoint: ${where}`);
                if (caps.needsAuthorizationEndpoint)
                  assert.ok(authz, `redirect flows need the authorization endpoint: ${where}`);
              }
              if (setting !== 'auto')
                assert.ok(order.length <= 1 && (order.length === 0 || order[0] === setting), where);
              if (setting === 'auto' && host !== 'webworker' && (authz || device))
                assert.ok(order.length > 0, `auto always finds a way: ${where}`);
              if (setting === 'auto' && host === 'webworker') assert.ok(!order.includes('loopback'), where);
              if (setting === 'auto' && prefer && device) assert.equal(order[0], 'device-code', where);
              if (setting === 'auto' && !prefer && authz) assert.notEqual(order[0], 'device-code', where);
            }
  });

  test('explains why a forced flow cannot run', () => {
    assert.match(whyUnavailable(q('webworker', 'loopback')), /cannot listen on a port/);
    assert.match(
      whyUnavailable(q('local', 'device-code', { flows: NO_DEVICE_BUILD })),
      /not available in this version/,
    );
    assert.match(whyUnavailable(q('local', 'device-code')), /device authorization endpoint/);
    assert.match(
      whyUnavailable(q('local', 'loopback', { authz: false, device: true })),
      /authorization endpoint, which it does not have/,
    );
  });

  test("only the device flow runs to a deadline of its own (the server's expires_in), not the sign-in timeout", () => {
    assert.deepEqual(
      NODE_FLOWS.filter((f) => f.capabilities.serverDeadline).map((f) => f.id),
      ['device-code'],
    );
  });
});

suite('flows: what each build ships', () => {
  test('the Node build: every flow, loopback first; the web build: every flow that works in a web worker', () => {
    assert.deepEqual(
      NODE_FLOWS.map((f) => f.id),
      ['loopback', 'uri-handler', 'device-code', 'manual'],
    );
    assert.deepEqual(
      WEB_FLOWS.map((f) => f.id),
      ['uri-handler', 'device-code', 'manual'],
    );
    assert.deepEqual(
      WEB_FLOWS,
      NODE_FLOWS.filter((f) => f.capabilities.webworker),
      'same values, same order of preference',
    );
  });

  test("each host's engine bundle ships exactly its list", () => {
    assert.match(
      readFileSync(join(ROOT, 'src', 'engine', 'node.ts'), 'utf8'),
      /engineFor\(\{ fetch: platformFetch, flows: NODE_FLOWS \}\)/,
    );
    assert.match(
      readFileSync(join(ROOT, 'src', 'engine', 'web.ts'), 'utf8'),
      /engineFor\(\{ fetch: browserFetch, flows: WEB_FLOWS \}\)/,
    );
  });

  test('the "flow" setting offers auto and every forcible flow; the manual fallback is not one', () => {
    const forcible = [...new Set([...NODE_FLOWS, ...WEB_FLOWS].filter((f) => f.forcible).map((f) => f.id))];
    assert.deepEqual([...FLOW_SETTINGS].sort(), ['auto', ...forcible].sort());
    assert.ok(!FLOW_SETTINGS.includes('manual' as FlowSetting));
  });

  test('ids are unique and every flow says what it needs', () => {
    const all = [...NODE_FLOWS, ...WEB_FLOWS];
    for (const f of all)
      assert.equal(
        all.find((g) => g.id === f.id),
        f,
        `one value per id: ${f.id}`,
      );
    for (const f of NODE_FLOWS) assert.ok(f.label && typeof f.run === 'function', f.id);
  });
});
