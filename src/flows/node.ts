/**
 * The flows the Node extension host build ships (desktop, and remote hosts: SSH, containers, WSL, code-server), in
 * order of preference. src/extension.ts passes exactly this list; the flow-table test reads it from here.
 */
import { deviceCode } from './deviceCode';
import { loopback } from './loopback';
import { manualPaste } from './manualPaste';
import { uriHandler } from './uriHandler';

export const NODE_FLOWS = [loopback, uriHandler, deviceCode, manualPaste] as const;
