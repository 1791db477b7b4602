/**
 * The flows the web-worker build ships (vscode.dev, code-server's web worker host), in order of preference: no
 * loopback, since a browser cannot listen on a port (and its module needs node:http). src/web/extension.ts passes
 * exactly this list; the flow-table test reads it from here.
 */
import { deviceCode } from './deviceCode';
import { manualPaste } from './manualPaste';
import { uriHandler } from './uriHandler';

export const WEB_FLOWS = [uriHandler, deviceCode, manualPaste] as const;
