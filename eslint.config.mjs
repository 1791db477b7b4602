// `npm run lint` (scripts/lint.mjs, also a step of `npm test`): the direction of imports between the layers of
// src/, which the folders name (see CONTRIBUTING "Layout"). Lower layers never import higher ones, type-only
// imports included; the VS Code side may know the engine only by its types (the engine is a bundle of its own,
// loaded on first use). Cycles are checked by madge in the same script; formatting by Prettier.
import tseslint from 'typescript-eslint';

const layer = (folder, forbidden, extra = []) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: [
          { name: 'vscode', message: `src/${folder}/ is below the VS Code glue: pass what it needs in instead.` },
        ],
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
            message: `src/${folder}/ may not import from src/{${forbidden.join(',')}}/ (imports point down the layers).`,
          },
          ...extra,
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'bench/tmp/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Directives for rules this config does not turn on (no-control-regex, no-console) stay for editors that do.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  // The core: OAuth and OIDC themselves, config, errors, plain text. Imports only itself (and the published typings).
  layer('protocol', ['sessions', 'settings', 'flows', 'engine', 'vscode', 'node', 'web', 'mcp']),
  // Sessions over SecretStorage: the keeper, the store, bindings, registrations.
  layer('sessions', ['settings', 'flows', 'engine', 'vscode', 'node', 'web', 'mcp']),
  // What the settings, managed files and workspace recommendations decide.
  layer('settings', ['flows', 'engine', 'vscode', 'node', 'web', 'mcp']),
  // The pure parts of MCP servers through the bridge.
  layer('mcp', ['settings', 'flows', 'engine', 'vscode', 'node', 'web']),
  // Node platform pieces: fetch, the loopback listener, the MCP bridge, reading managed files.
  layer('node', ['sessions', 'flows', 'engine', 'vscode', 'web']),
  // The sign-in flows.
  layer('flows', ['sessions', 'settings', 'engine', 'vscode', 'web', 'mcp']),
  // The engine bundle: everything that talks OAuth, nothing that talks to VS Code.
  layer('engine', ['vscode']),
  // The VS Code glue: the engine by its types only.
  {
    files: ['src/vscode/**/*.ts', 'src/web/**/*.ts', 'src/extension.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./|\\./)+(engine/|flows/(?!flow$))',
              allowTypeImports: true,
              message:
                "The engine (and the flows) are a bundle loaded on first use: import their types only, and call the engine's API.",
            },
          ],
        },
      ],
    },
  },
);
