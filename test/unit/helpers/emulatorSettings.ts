/** Settings that point the provider at a running emulator. */
import type { Emulator } from "pulumi-mde-emulator";
import { resolveSettings, type Settings } from "../../../src/settings/resolveSettings";

/** Client-secret settings for `app` (default: the emulator's default app), trusting the emulator's CA. */
export function emulatorSettings(
  emulator: Emulator,
  extra: Record<string, string | undefined> = {},
  app: { tenantId: string; clientId: string; clientSecret?: string } = emulator.defaultApp,
  timeScale = 1,
): Settings {
  return resolveSettings(
    {
      "mde:tenantId": app.tenantId,
      "mde:clientId": app.clientId,
      "mde:clientSecret": app.clientSecret,
      "mde:apiEndpoint": emulator.url,
      "mde:authorityHost": emulator.authorityHost,
      "mde:caCertPath": emulator.caFile,
      "mde:timeScale": String(timeScale),
      ...extra,
    },
    {},
  );
}
