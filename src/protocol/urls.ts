/** URL rules shared by settings validation and the protocol core. */

/**
 * RFC 8252 §8.3 and the product rule: plain http is allowed only for loopback hosts (127.0.0.0/8, localhost, [::1]),
 * where no network attacker can sit between VS Code and the server.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why `value` is not an acceptable server URL, or undefined when it is. */
export function serverUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:') return isLoopbackHost(u.hostname) ? undefined : 'must use https:// (plain http is allowed only for 127.0.0.1, localhost and [::1])';
  return `must be an https:// URL, not ${u.protocol}`;
}

export function isHttpUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'http:';
  } catch {
    return false;
  }
}
