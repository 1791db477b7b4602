// Extensions for the activation bench:
//   bench/tmp/installed/oauth-accounts: the production bundle + media, run as an installed extension (listed in the
//     run's extensions.json), so in ExtensionMode.Production as users run it; manifest with activationEvents
//     emptied (nothing activates it before the bench entry does; commands still get their implicit onCommand events);
//   bench/tmp/devexts/github-authentication (the development extension folder): code-server's built-in copy, dist/
//     untouched, manifest without contributes.authentication (otherwise the workbench's startup getSessions('github')
//     activates it before the bench entry runs).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function prepareHostExtensions(root, tmp, builtinExtensionsDir) {
  const devexts = join(tmp, 'devexts');
  const installed = join(tmp, 'installed');
  for (const d of [devexts, installed]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  const ours = join(installed, 'oauth-accounts');
  cpSync(join(tmp, 'ext', 'dist'), join(ours, 'dist'), { recursive: true });
  cpSync(join(root, 'media'), join(ours, 'media'), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(join(ours, 'package.json'), JSON.stringify({ ...pkg, activationEvents: [] }, null, 2));
  const gh = join(devexts, 'github-authentication');
  cpSync(join(builtinExtensionsDir, 'github-authentication'), gh, { recursive: true });
  const ghPkg = JSON.parse(readFileSync(join(gh, 'package.json'), 'utf8'));
  delete ghPkg.contributes.authentication;
  writeFileSync(join(gh, 'package.json'), JSON.stringify({ ...ghPkg, activationEvents: [] }, null, 2));
  return { devexts, ours, ourMain: join(ours, 'dist', 'extension.js') };
}
