/** URL rules shared by settings validation, discovery and the fetch seam of the protocol core. */

/**
 * The one wording of the https rule: every message and the README say exactly this, so users meet one rule, not
 * several approximations of it.
 */
export const HTTP_LOOPBACK_RULE = 'http only for loopback addresses: 127.0.0.0/8, localhost, [::1]';

/**
 * RFC 8252 §8.3 and the product rule: plain http is allowed only for loopback hosts (127.0.0.0/8, localhost, [::1]),
 * where no network attacker can sit between VS Code and the server.
 *
 * `hostname` is what WHATWG `URL.hostname` gives, which has already turned the IPv4 shorthands a socket would also
 * accept (`127.1`, `0x7f.1`, `2130706433`, `127.0.0.1.`) into `127.0.0.1` and `[0:0:0:0:0:0:0:1]` into `[::1]`, so
 * the literal check below sees what the connection will use. Deliberately refused: `localhost.` and
 * `*.localhost` (resolved through DNS on some systems, not by the hosts file), IPv4-mapped `[::ffff:7f00:1]` (not
 * in the stated range) and `127.0.0.1.evil.com` (a DNS name).
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  const octets = h.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every(isOctet);
}

/**
 * 1–3 ASCII digits, at most 255. Written out rather than as a regular expression: settings validation runs this for
 * every entry inside activate(), where V8 would compile a pattern run twice to machine code (0.1 ms, measured); an
 * indexed loop, as a string's first for…of costs more still.
 */
function isOctet(s: string): boolean {
  if (s.length < 1 || s.length > 3) return false;
  for (let i = 0; i < s.length; i++) if (s[i] < '0' || s[i] > '9') return false;
  return Number(s) <= 255;
}

/**
 * Characters refused anywhere in a server URL as written (a server's or a user's): whitespace, `[ ] ( )`, backticks,
 * `< >` and `\`. URLs reach the workbench as text (messages, input box prompts, quick picks), where
 * `[label](command:id?args)` is a live link since VS Code 1.76; and `new URL()` silently trims, re-encodes or turns
 * `\` into `/`, so what was checked would not be what is shown. A real server URL never needs them unencoded. The
 * one exception is the brackets of an IPv6 host (`http://[::1]:8080/`), the only place a URL needs them.
 */
const UNSAFE_URL_CHARACTERS = /[\s[\]()`<>\\]/;
/** An IPv6 host right after the scheme (no user info: a server URL never has any, see serverUrlProblem). */
const IPV6_HOST = /^([a-z][a-z0-9+.-]*:\/\/)\[[0-9a-f:.]+\](?=[:/?#]|$)/i;

/** Why the text of `value` cannot be a server URL (the characters above), or undefined. */
export function urlTextProblem(value: string): string | undefined {
  // Only an IPv6 host has a "[": the replace (the first one costs 0.3 ms inside activate()) is for those alone.
  const bad = UNSAFE_URL_CHARACTERS.exec(value.includes('[') ? value.replace(IPV6_HOST, '$1ipv6-host') : value);
  if (!bad) return undefined;
  const shown = /\s/.test(bad[0]) ? 'whitespace' : `"${bad[0]}"`;
  return `contains ${shown}, which a server URL must not contain (whitespace, [ ] ( ) \` < > and \\ are refused; percent-encode them)`;
}

/** Why `value` is not an acceptable server URL, or undefined when it is. */
export function serverUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  const text = urlTextProblem(value);
  if (text) return text;
  // `https://sso.corp.example@evil.example` goes to evil.example: a server URL has no user name or password.
  if (u.username || u.password) return 'contains a user name or password before "@", which a server URL must not have';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:')
    return isLoopbackHost(u.hostname) ? undefined : `must use https:// (${HTTP_LOOPBACK_RULE})`;
  return `must be an https:// URL, not ${u.protocol}`;
}

export function isHttpUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'http:';
  } catch {
    return false;
  }
}

/** Both are URLs with the same origin (scheme, host, port). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * Hosts that reach this machine (or its local network stack) however they are spelled: loopback, 0.0.0.0/8, the
 * unspecified `[::]`, IPv4-mapped IPv6 and `*.localhost`. Wider than isLoopbackHost on purpose: it decides where a
 * remote server may NOT send us (into the loopback network of the host running the extension — in code-server, the
 * server), not where plain http is allowed.
 */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return (
    isLoopbackHost(h) ||
    /^0\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '[::]' ||
    /^\[::ffff:/.test(h) ||
    h.endsWith('.localhost')
  );
}

/** `url` is on this machine and `from` (the URL that named it) is not: a remote server sending us into local services. */
export function reachesIntoLocal(url: string, from: string): boolean {
  try {
    return isLocalHost(new URL(url).hostname) && !isLocalHost(new URL(from).hostname);
  } catch {
    return false; // not a URL: serverUrlProblem says so
  }
}
