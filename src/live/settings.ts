// Live reload's one setting: reload when a manifest changes (SIGHUP always reloads).

export interface LiveSettings {
  /** Reload when a manifest under `manifests` changes (--watch). */
  readonly watch: boolean;
}

export const LIVE_DEFAULTS: LiveSettings = { watch: false };

export function validateLive(raw: { watch?: unknown }): LiveSettings {
  return { watch: raw.watch === true };
}
