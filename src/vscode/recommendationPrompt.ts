/**
 * Workspace recommendations (`oauthAccounts.recommendedProviders`, from `.vscode/settings.json` or a dev container's
 * settings): in a trusted workspace each recommendation the user has neither added nor declined is offered once, in
 * a modal that names the server's host, the client id and exactly what will be written; only an accepted entry is
 * copied into the user setting. A declined one is remembered for this workspace and can be reviewed again from the
 * palette. A repository is untrusted input: nothing is offered in an untrusted workspace (the setting is also
 * `restricted`, so VS Code ignores a workspace value there), nothing is ever used without the user's yes, and a
 * recommendation never replaces an entry the user has.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { parseProvider, SETTING, type ProviderConfig } from '../protocol/config';
import { plainText } from '../protocol/plainText';
import { classifyRecommendations, RECOMMENDED_SETTING, type Recommendation } from '../settings/recommendations';
import { serverHosts } from '../sessions/serverBinding';
import type { ProviderRegistry } from './registry';
import type { Logger } from './log';
import { interactiveSignIn } from './interactiveSignIn';

const DECLINED_KEY = 'oauthAccounts.declinedRecommendations';
/** A repository may list many: at most this many questions each time; the rest wait for the review command. */
const MAX_QUESTIONS = 3;
const ADD = 'Add to User Settings';
const DONT = "Don't Add";

export class RecommendationPrompt {
  private running?: Promise<void>;
  private readonly logged = new Set<string>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly workspaceState: vscode.Memento,
    private readonly log: Logger,
  ) {}

  /** Offers every new, undeclined recommendation once (one at a time). Does nothing in an untrusted workspace. */
  offer(): Promise<void> {
    this.running ??= this.offerAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async offerAll(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const declined = new Set(this.workspaceState.get<string[]>(DECLINED_KEY, []));
    let questions = 0;
    for (const rec of this.recommendations()) {
      if (rec.status.kind === 'unusable' && !this.logged.has(rec.key)) {
        this.logged.add(rec.key);
        this.log.warn(
          `the workspace recommends provider "${plainText(rec.id ?? '?', 100)}", which cannot be added: ${rec.status.why}`,
        );
      }
      if (rec.status.kind !== 'new' || declined.has(rec.key)) continue;
      if (++questions > MAX_QUESTIONS) {
        this.log.info(
          'the workspace recommends more providers; "OAuth Accounts: Review Recommended Providers..." lists them',
        );
        return;
      }
      if (!(await this.ask(rec, rec.status.config))) {
        declined.add(rec.key);
        await this.workspaceState.update(DECLINED_KEY, [...declined]);
      }
    }
  }

  /** The palette's review: every recommendation with what it is; a new one (declined or not) can be added. */
  async review(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void notify.showInformationMessage('OAuth Accounts: recommendations are offered only in a trusted workspace.');
      return;
    }
    const recs = this.recommendations();
    if (recs.length === 0) {
      void notify.showInformationMessage(
        `OAuth Accounts: this workspace recommends no identity provider (${RECOMMENDED_SETTING}).`,
      );
      return;
    }
    const describe = (r: Recommendation) =>
      r.status.kind === 'new'
        ? 'not added yet'
        : r.status.kind === 'added'
          ? 'already in your settings'
          : `cannot be added: ${r.status.why}`;
    const pick = await notify.showQuickPick(
      recs.map((r) => ({
        label: plainText(r.label ?? r.id ?? '(no label)', 100),
        description: plainText(r.id ?? '', 100),
        detail: describe(r),
        r,
      })),
      { title: 'Recommended Identity Providers', placeHolder: 'Recommended by this workspace; pick one to add it' },
    );
    if (pick?.r.status.kind === 'new') await this.ask(pick.r, pick.r.status.config);
  }

  private recommendations(): Recommendation[] {
    const config = vscode.workspace.getConfiguration();
    const userRaw = config.inspect<unknown[]>(SETTING)?.globalValue ?? [];
    const userEntries = (Array.isArray(userRaw) ? userRaw : [])
      .map((e) => parseProvider(e))
      .flatMap((p) => ('config' in p ? [p.config] : []));
    const mine = new Set(userEntries.map((c) => c.id));
    const takenIds = new Map<string, string>();
    for (const id of this.registry.usedIds()) {
      if (mine.has(id)) continue;
      const source = this.registry.sourceOf(id);
      takenIds.set(
        id,
        source === 'managed'
          ? 'a provider your organisation manages'
          : source === 'api'
            ? 'another extension'
            : 'another authentication provider in VS Code',
      );
    }
    return classifyRecommendations(config.get<unknown>(RECOMMENDED_SETTING), {
      userEntries,
      takenIds,
      rules: this.registry.orgRules(),
    });
  }

  /** The one question; true when the entry was added to the user setting. */
  private async ask(rec: Recommendation, config: ProviderConfig): Promise<boolean> {
    const label = plainText(config.label, 100);
    const hosts = serverHosts(config);
    const host = plainText(hosts[0]?.host ?? '?', 200);
    const others = hosts.slice(1).map((h) => `${plainText(h.host, 200)} (${h.fields.join(', ')})`);
    const client =
      config.clientRegistration === 'dynamic'
        ? 'a client it registers automatically'
        : `client id "${plainText(config.clientId, 100)}"`;
    const answer = await notify
      .showInformationMessage(
        `This workspace recommends the identity provider "${label}" at ${host}${others.length ? ` — and sends to ${others.length === 1 ? 'another server' : `${others.length} other servers`}` : ''}. Add it to your user settings?`,
        {
          modal: true,
          detail:
            `Signing in to it opens ${host} (${client}).` +
            (others.length
              ? ` It also sends requests — with your sign-in's codes or tokens — to: ${others.join('; ')}. Those are not ${host}.`
              : '') +
            ` Add it only if you trust this workspace and ${others.length ? 'every one of these servers' : 'that server'}.\n\n` +
            `This entry will be added to "${SETTING}" in your user settings:\n${JSON.stringify(rec.entry, null, 2)}`,
        },
        ADD,
        DONT,
        // A dialog that cannot be shown (VS Code refuses them in its own test runs) is a question nobody answered yes to.
      )
      .then(undefined, (e: unknown) => {
        this.log.warn(`the recommendation question could not be shown: ${(e as Error)?.message ?? e}`);
        return undefined;
      });
    if (answer !== ADD) {
      this.log.info(`recommended provider "${config.id}" was not added`);
      return false;
    }
    const settings = vscode.workspace.getConfiguration();
    const current = settings.inspect<unknown[]>(SETTING)?.globalValue ?? [];
    // Checked again: the user's settings may have changed while the question was open (then it is not declined).
    if ((Array.isArray(current) ? current : []).some((e) => (e as { id?: unknown })?.id === config.id)) return true;
    await settings.update(
      SETTING,
      [...(Array.isArray(current) ? current : []), rec.entry],
      vscode.ConfigurationTarget.Global,
    );
    this.log.info(`recommended provider "${config.id}" added to the user settings`);
    const signIn = 'Sign In';
    void notify.showInformationMessage(`Added "${label}" to your user settings.`, signIn).then((a) => {
      if (a === signIn) void interactiveSignIn(this.registry, config.id, []);
    });
    return true;
  }
}
