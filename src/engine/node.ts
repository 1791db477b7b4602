/** The Node extension host's engine bundle (dist/engine.js): node-fetch and every flow, the loopback listener too. */
import { engineFor } from './engine';
import { NODE_FLOWS } from '../flows/node';
import { platformFetch } from '../node/fetch';

export const engine = engineFor({ fetch: platformFetch, flows: NODE_FLOWS });
