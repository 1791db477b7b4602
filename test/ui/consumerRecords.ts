// What the consumer fixture (test/fixtures/consumer-ext) writes to CONSUMER_OUT: one JSON line per getSession result,
// with the account and a SHA-256 of the token (never the token itself).
import * as fs from 'node:fs';

export interface ConsumerRecord {
  kind: string;
  account: string | null;
  accountId: string | null;
  scopes: string[] | null;
  tokenSha256: string | null;
  /** For registerAndSignIn: how it reached OAuth Accounts' API, 'exports' or 'commands'. */
  via?: string;
}

export function readConsumerRecords(file: string): ConsumerRecord[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as ConsumerRecord)
    : [];
}

/** The first record of `kind` (or `kind:error`) after the first `after` records. */
export async function waitForConsumerRecord(
  file: string,
  kind: string,
  after = 0,
  timeout = 60_000,
): Promise<ConsumerRecord> {
  const end = Date.now() + timeout;
  for (;;) {
    const r = readConsumerRecords(file)
      .slice(after)
      .find((x) => x.kind === kind || x.kind === `${kind}:error`);
    if (r) return r;
    if (Date.now() > end) throw new Error(`the consumer recorded no "${kind}" result within ${timeout / 1000} s`);
    await new Promise((res) => setTimeout(res, 250));
  }
}
