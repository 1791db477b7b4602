/**
 * Written by the build (scripts/bundles.mjs) into each activation bundle: the activation bundle's own instances of
 * the modules the engine bundle imports, keyed by source path (engineLoader.ts).
 */
declare module 'oauth-accounts:host-modules' {
  export const hostModules: Readonly<Record<string, unknown>>;
}
