/**
 * Another client of the same application (a SOAR integration, a script) sending collect POSTs at a
 * steady rate, no matter what the provider does. It posts to a device that does not exist, so each call
 * the quota admits spends one unit of the app's quota (the emulator checks the quota before the device,
 * as the API does) and answers 404, and each call it refuses answers 429. What it keeps of its rate is
 * read from the emulator's call record by its device ID ({@link FOREIGN_DEVICE_ID}).
 */
import type { Emulator } from "pulumi-mde-emulator";
import { Agent, request } from "undici";

/** The device the foreign client posts to: 40 hex characters no emulated device has. */
export const FOREIGN_DEVICE_ID = "f0".repeat(20);

/** A running foreign client; `stop` ends it and waits for the calls in flight. */
export interface ForeignClient {
  stop(): Promise<void>;
}

/**
 * Starts posting `perMinute` times per emulated minute (one call every `60 / perMinute` emulated
 * seconds, on a fixed schedule: a refused call is not repeated, the next one comes on time).
 */
export function startForeignClient(em: Emulator, perMinute: number, timeScale: number): ForeignClient {
  const dispatcher = new Agent({ connect: { ca: em.caPem } });
  // A token minted directly, valid for the default app: the same quota as the provider's.
  const token = em.issueToken();
  const url = `${em.url}/api/machines/${FOREIGN_DEVICE_ID}/collectInvestigationPackage`;
  const inFlight = new Set<Promise<void>>();
  const post = () => {
    const call = request(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ Comment: "foreign client of the same app" }),
      dispatcher,
    })
      .then((r) => r.body.dump())
      .then(
        () => undefined,
        () => undefined,
      );
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
  };
  const timer = setInterval(post, 60_000 / timeScale / perMinute);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      await dispatcher.close();
    },
  };
}
