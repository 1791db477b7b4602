/**
 * The Node extension host's fetch: node-fetch over Node's http/https modules, which VS Code patches for the user's
 * proxy settings and OS certificates (the global fetch of the extension host is not patched everywhere).
 */
import nodeFetch from 'node-fetch';
import type { BaseFetch } from '../protocol/http';

export const platformFetch: BaseFetch = (url, init) =>
  nodeFetch(url, init as Parameters<typeof nodeFetch>[1]) as unknown as Promise<Response>;
