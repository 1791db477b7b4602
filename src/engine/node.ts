/** The Node extension host's engine bundle (dist/engine.js): node-fetch and every flow, the loopback listener and the MCP bridge. */
import { engineFor, type Engine } from './engine';
import { NODE_FLOWS } from '../flows/node';
import { platformFetch } from '../node/fetch';
import { startMcpBridge } from '../node/mcpBridge';

export const engine: Engine = { ...engineFor({ fetch: platformFetch, flows: NODE_FLOWS }), startMcpBridge };
