/** The web worker's engine bundle (dist/web/engine.js): the browser's fetch, no loopback flow. */
import { engineFor } from './engine';
import { WEB_FLOWS } from '../flows/web';
import { browserFetch } from '../web/fetch';

export const engine = engineFor({ fetch: browserFetch, flows: WEB_FLOWS });
