/**
 * The wizard's client step (src/vscode/wizard/addProviderClient.ts) against the real oidc-provider, on plain Node with a
 * stand-in `vscode` that picks "Register automatically": what its last step says (issue #26) — that the server made the
 * client confidential when it did, and nothing of the kind when it registered the public client asked for.
 */
import * as assert from 'node:assert/strict';
import { engineFor } from '../../../../src/engine/engine';
import { RegistrationStore } from '../../../../src/sessions/registrationStore';
import { FakeSecrets } from '../../../support/fakeSecrets';
import { requireWithVscode } from '../../../support/fakeVscode';
import { startOpProcess, type OpProcess } from '../../../support/op';
import { testClient, testConfig } from '../../../support/protocolHarness';

type Wizard = typeof import('../../../../src/vscode/wizard/addProviderClient');

function loadWizard(): Wizard {
  const fake = {
    window: {
      showQuickPick: async (items: unknown[]) => items[0], // "Register automatically"
      withProgress: (_o: unknown, task: (p: unknown, t: unknown) => Thenable<unknown>) =>
        task({ report: () => {} }, {}),
      showErrorMessage: async (message: string) => {
        throw new Error(`the wizard failed: ${message}`);
      },
    },
    ProgressLocation: { Notification: 15 },
  };
  const paths = [
    '../../../../src/vscode/wizard/addProviderClient',
    '../../../../src/vscode/notify',
    '../../../../src/vscode/log',
  ].map((p) => require.resolve(p));
  return requireWithVscode(fake, paths)[0] as Wizard;
}

async function registerThroughWizard(op: OpProcess): Promise<string | undefined> {
  const { chooseClient } = loadWizard();
  const registry = {
    registrations: new RegistrationStore(new FakeSecrets()),
    registrationRedirectUris: () => ['http://127.0.0.1/callback'],
  };
  const metadata = await testClient(testConfig(op)).serverMetadata();
  const ask = async () => {
    throw new Error('no client id should be asked for');
  };
  const choice = await chooseClient(
    registry as never,
    metadata,
    { issuer: op.issuer, endpoints: {} },
    engineFor({ fetch: (u, i) => fetch(u, i as RequestInit), flows: [] }),
    'Corp',
    ask,
  );
  return choice?.registered;
}

suite('wizard: the last step says how the server registered the client', function () {
  this.timeout(30_000);

  test('a server that makes every registered client confidential: said, with its method and where the secret is kept', async () => {
    const op = await startOpProcess({
      registration: true,
      forceConfidentialRegistration: true,
      omitSecretExpiry: true,
    });
    try {
      const text = await registerThroughWizard(op);
      assert.match(text ?? '', /registered itself at .* as the client "[^"]+"/);
      assert.match(text ?? '', /The server made it a confidential client/);
      assert.match(text ?? '', /client_secret_basic/);
      assert.match(
        text ?? '',
        /kept in VS Code's secret storage with this registration, bound to this server, and sent only to it/,
      );
    } finally {
      await op.stop();
    }
  });

  test('a public client, as asked for: no word of a secret', async () => {
    const op = await startOpProcess({ registration: true });
    try {
      const text = await registerThroughWizard(op);
      assert.match(text ?? '', /as the public client/);
      assert.doesNotMatch(text ?? '', /confidential|client secret/);
    } finally {
      await op.stop();
    }
  });
});
