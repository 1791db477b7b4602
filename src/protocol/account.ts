import { plainText } from './plainText';

/**
 * Who signed in. `id` is the subject qualified by the issuer, so the same `sub` at two providers never collides;
 * `label` is stable and human-readable because VS Code keys trusted extensions and account preferences by label.
 */

export interface Account {
  readonly id: string;
  readonly label: string;
}

const LABEL_CLAIMS = ['preferred_username', 'email', 'name', 'login', 'username', 'sub'];

export function accountFrom(
  issuer: string,
  sources: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>,
  labelClaim: string | undefined,
  fallbackLabel: string,
): Account {
  const claims = sources.filter((s): s is Readonly<Record<string, unknown>> => !!s);
  const pick = (name: string): string | undefined => {
    for (const c of claims) {
      const v = c[name];
      if (typeof v === 'string' && v.trim()) return v.trim();
      if (typeof v === 'number') return String(v);
    }
    return undefined;
  };
  const sub = pick('sub') ?? pick('id');
  // The label is the server's text and VS Code shows it in the Accounts menu, quick picks and our notifications
  // ("Signed in as …"): plain text, one line, no link syntax, and short enough for a menu.
  const claimed = (labelClaim && pick(labelClaim)) || LABEL_CLAIMS.map(pick).find((v) => v !== undefined);
  const label = (claimed !== undefined ? plainText(claimed, 100) : '') || fallbackLabel;
  // Without any subject (plain OAuth 2.0, no userinfo) all sign-ins are one account, named after the provider.
  return { id: `${issuer}#${sub ?? label}`, label };
}
