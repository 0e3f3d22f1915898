/**
 * One Defender client per credential for the whole provider process: every resource and function of a
 * deployment shares its token cache, rate budgets, connections and status reader.
 */
import { credentialFingerprint } from "../settings/fingerprints";
import type { Settings } from "../settings/resolveSettings";
import { DefenderClient, type DefenderClientOptions } from "./defenderClient";

// Module-level: the provider process loads this module once, by package name.
const clients = new Map<string, DefenderClient>();

/**
 * The process-wide client for `settings` (created on first use). Options apply only when it is created;
 * construct `DefenderClient` directly for a private one.
 */
export function getDefenderClient(settings: Settings, options: DefenderClientOptions = {}): DefenderClient {
  const key = `${credentialFingerprint(settings)}|x${settings.timeScale}`;
  let client = clients.get(key);
  if (!client) {
    client = new DefenderClient(settings, options);
    clients.set(key, client);
  }
  return client;
}

/** Forgets every shared client. For tests. */
export function resetDefenderClients(): void {
  clients.clear();
}
