/** The Node extension host's engine bundle (dist/engine.js): node-fetch and every flow, the loopback listener too, and the MCP bridge. */
import { engineFor } from './engine';
import { NODE_FLOWS } from '../flows/node';
import { platformFetch } from '../node/fetch';
import { nodeMcp } from './nodeMcp';

export const engine = { ...engineFor({ fetch: platformFetch, flows: NODE_FLOWS }), mcp: nodeMcp(platformFetch) };
