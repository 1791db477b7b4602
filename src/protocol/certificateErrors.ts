/**
 * TLS certificate failures, in words a user can act on. Node's TLS layer (under node-fetch in the Node extension
 * host, and under undici's global fetch) reports a rejected server certificate with an OpenSSL verification code
 * (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …) or Node's own `ERR_TLS_CERT_ALTNAME_INVALID`, on the error or on its cause.
 * Without this, a server whose certificate comes from an organisation's private CA read as "the server could not be
 * reached (UNABLE_TO_VERIFY_LEAF_SIGNATURE)". Browsers (the web build) say nothing about the cause: no code, no
 * mapping. No `vscode` import; the codes are Node's, never server text.
 */

/** Why a certificate was refused, and whose move it is: the user's trust store, or the server's certificate. */
interface CertificateProblem {
  readonly code: string;
  readonly problem: string;
  /** 'trust': the chain ends at a CA this machine does not trust (the usual private-CA case). */
  readonly fix: 'trust' | 'server';
}

const TRUST: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it was issued by a certificate authority this machine does not know',
  UNABLE_TO_GET_ISSUER_CERT: 'it was issued by a certificate authority this machine does not know',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it was issued by a certificate authority this machine does not know',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends at a self-signed certificate authority this machine does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  CERT_UNTRUSTED: 'its certificate authority is not trusted for this purpose',
  INVALID_CA: 'one of its issuing certificates is not a valid certificate authority',
};

const SERVER: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: "it has expired (or this machine's clock is wrong)",
  CERT_NOT_YET_VALID: "it is not valid yet (or this machine's clock is wrong)",
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another host name',
  HOSTNAME_MISMATCH: 'it was issued for another host name',
  CERT_REVOKED: 'it has been revoked',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_REJECTED: 'it was rejected',
};

/** The certificate problem behind a platform fetch failure (on the error or up to two causes deep), if any. */
export function certificateProblem(platformError: unknown): CertificateProblem | undefined {
  let e = platformError as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++, e = e.cause as typeof e) {
    const code = e.code;
    if (typeof code !== 'string') continue;
    if (code in TRUST) return { code, problem: TRUST[code], fix: 'trust' };
    if (code in SERVER) return { code, problem: SERVER[code], fix: 'server' };
  }
  return undefined;
}

/**
 * `what` failed because `host`'s certificate was refused: the host, the problem, and the fix. For a CA this machine
 * does not trust, the fix is the organisation's CA in the operating system's store, which VS Code gives extensions
 * through `http.systemCertificates`, or NODE_EXTRA_CA_CERTS where the extension runs on a remote host. Turning
 * verification off is never suggested.
 */
export function certificateMessage(what: string, host: string, p: CertificateProblem): string {
  const head = `${what} failed: the certificate of ${host} is not trusted (${p.code}: ${p.problem}).`;
  if (p.fix === 'server')
    return `${head} The server's administrator must fix its certificate; OAuth Accounts sends nothing to a server it cannot verify.`;
  return `${head} If your organisation uses its own certificate authority, install that CA certificate in the operating system's trust store and keep VS Code's "http.systemCertificates" setting on; where VS Code runs the extension on a remote host (SSH, WSL, containers, code-server), set NODE_EXTRA_CA_CERTS to the CA file for the VS Code server and restart it.`;
}
