import * as assert from 'node:assert/strict';
import { selectFlows, whyUnavailable, type ExtensionHostKind, type FlowId, type FlowQuery } from '../../../src/flows/flow';
import type { FlowSetting } from '../../../src/config';

const NODE_BUILD = new Set<FlowId>(['loopback', 'uri-handler']);
const WEB_BUILD = new Set<FlowId>(['uri-handler']);
const q = (host: ExtensionHostKind, setting: FlowSetting, implemented = host === 'webworker' ? WEB_BUILD : NODE_BUILD, device = false): FlowQuery =>
  ({ host, setting, implemented, serverHasDeviceEndpoint: device });

suite('flows: selectFlows table', () => {
  const cases: Array<[string, FlowQuery, FlowId[]]> = [
    ['desktop, auto', q('local', 'auto'), ['loopback', 'uri-handler']],
    ['remote (SSH, container, code-server), auto', q('remote', 'auto'), ['uri-handler']],
    ['web worker, auto', q('webworker', 'auto'), ['uri-handler']],
    ['desktop, forced uri-handler', q('local', 'uri-handler'), ['uri-handler']],
    ['remote, forced loopback (port forwarding): honoured', q('remote', 'loopback'), ['loopback']],
    ['web worker, forced loopback: impossible', q('webworker', 'loopback'), []],
    ['device code not in this build', q('local', 'device-code', NODE_BUILD, true), []],
    ['device code built, server has endpoint, remote auto', q('remote', 'auto', new Set<FlowId>(['loopback', 'uri-handler', 'device-code']), true), ['uri-handler', 'device-code']],
    ['device code built, server lacks endpoint', q('remote', 'auto', new Set<FlowId>(['loopback', 'uri-handler', 'device-code']), false), ['uri-handler']],
  ];
  for (const [name, query, expected] of cases) {
    test(name, () => assert.deepEqual(selectFlows(query), expected));
  }

  test('explains why a forced flow cannot run', () => {
    assert.match(whyUnavailable(q('webworker', 'loopback')), /cannot listen on a port/);
    assert.match(whyUnavailable(q('local', 'device-code')), /not available in this version/);
  });
});
