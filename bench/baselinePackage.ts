/**
 * A package for the plain copy of the vault scenario, obtained straight from the emulator's API with a
 * token it mints (no provider): one collection on a device of its own, waited for, and a fresh link each
 * time one is needed (links are short-lived at the bench's time scale).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Emulator } from "pulumi-mde-emulator";
import { Agent, request } from "undici";

/** A collection the bench made itself, ready for links. */
export interface BaselinePackage {
  readonly actionId: string;
  /** A new GetPackageUri link for the package. */
  link(): Promise<string>;
  close(): Promise<void>;
}

async function apiCall(
  em: Emulator,
  dispatcher: Agent,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const answer = await request(`${em.url}/api${path}`, {
    method,
    dispatcher,
    signal: AbortSignal.timeout(30_000),
    headers: {
      authorization: `Bearer ${em.issueToken()}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: answer.statusCode, json: (await answer.body.json()) as Record<string, unknown> };
}

/**
 * Collects from `machineId` and waits (bounded by `timeoutMs`) until the collection has Succeeded.
 * @throws Error when the API refuses or the collection does not succeed in time.
 */
export async function baselinePackage(
  em: Emulator,
  machineId: string,
  timeoutMs = 120_000,
): Promise<BaselinePackage> {
  const dispatcher = new Agent({ connect: { ca: em.caPem } });
  try {
    const posted = await apiCall(
      em,
      dispatcher,
      "POST",
      `/machines/${machineId}/collectInvestigationPackage`,
      {
        Comment: "bench: the plain copy's package",
      },
    );
    const actionId = posted.json.id;
    if (posted.status !== 201 || typeof actionId !== "string") {
      throw new Error(`the collection POST answered ${posted.status}`);
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = await apiCall(em, dispatcher, "GET", `/machineactions/${actionId}`);
      if (got.json.status === "Succeeded") break;
      if (Date.now() > deadline) throw new Error(`the collection is still ${String(got.json.status)}`);
      await sleep(500);
    }
    return {
      actionId,
      async link() {
        const got = await apiCall(em, dispatcher, "GET", `/machineactions/${actionId}/GetPackageUri`);
        if (got.status !== 200 || typeof got.json.value !== "string") {
          throw new Error(`GetPackageUri answered ${got.status}`);
        }
        return got.json.value;
      },
      close: () => dispatcher.close(),
    };
  } catch (error) {
    await dispatcher.close();
    throw error;
  }
}
