import type { BaseFetch } from '../protocol/http';

/** The browser's fetch; a request the browser blocks (no CORS headers) fails with a bare TypeError: say why. */
export const browserFetch: BaseFetch = async (url, init) => {
  try {
    return await fetch(url, init as RequestInit);
  } catch (e) {
    if ((e as Error)?.name !== 'TypeError') throw e;
    const origin = (globalThis as { location?: { origin?: string } }).location?.origin ?? 'this web window';
    throw new TypeError(
      `no response; in a web window this usually means the identity provider does not allow cross-origin (CORS) requests from ${origin}`,
      { cause: e },
    );
  }
};
