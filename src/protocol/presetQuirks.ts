/**
 * What each preset's server does that data cannot express, as typed quirks (protocol/quirks.ts) handed to the
 * protocol client of every provider whose entry says `"preset": "<id>"`. Apart from presets.ts so that reading the
 * settings at activation does not load the quirks' code: this file is part of the protocol bundle (engine/).
 */
import { quirk, type Quirk } from './quirks';
import { presetEntry } from './presets';

export const PRESET_QUIRKS: Readonly<Record<string, readonly Quirk[]>> = {
  github: [quirk.githubJson, quirk.githubAccount, quirk.githubRevocation, quirk.publicDeviceFlow],
  // GitLab documents a 2-hour access-token lifetime; older versions sent no expires_in (gitlab#360729).
  gitlab: [quirk.missingExpiresIn(7200)],
};

/** The quirks for a provider entry (or a session's binding): those of its preset, or none. */
export function presetQuirks(config: { readonly preset?: string }): readonly Quirk[] {
  if (config.preset === undefined || !presetEntry(config.preset)) return [];
  return PRESET_QUIRKS[config.preset] ?? [];
}
