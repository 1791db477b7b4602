/** Log redaction, kept free of `vscode` so it is unit-tested on plain Node. */

const SECRET_PARAMS = /\b(access_token|refresh_token|id_token|code|code_verifier|client_secret|device_code|assertion|password|token)=([^&\s"']+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** JSON bodies: `"access_token": "…"`. */
const SECRET_JSON = /"(access_token|refresh_token|id_token|code|code_verifier|client_secret|device_code|assertion|password|token)"(\s*:\s*)"[^"]*"/gi;
const BEARER = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Masks anything shaped like a token, a code or a credential. */
export function redact(line: string): string {
  return line.replace(JWT, '[redacted JWT]').replace(SECRET_PARAMS, '$1=[redacted]').replace(BEARER, '$1 [redacted]').replace(SECRET_JSON, '"$1"$2"[redacted]"');
}

