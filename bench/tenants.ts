/**
 * Scenario 12: many tenants in one program. K tenants x N collections in one `up`, each tenant reached
 * through its own connection profile (`mde:profiles.t<i>`), against one emulator serving the tenants with
 * their own quotas; beside it the same N of one tenant alone. The quota is per application and tenant, so
 * K tenants should take about the time of one.
 */
import type { ConfigMap, PulumiFn } from "@pulumi/pulumi/automation";
import { InvestigationPackageCollection } from "pulumi-mde";
import type { Emulator } from "pulumi-mde-emulator";
import { emulatorConfig, isHealthy, startTestEmulator } from "pulumi-mde-harness";
import { benchStack, timedUp } from "./benchStack";
import { acceptedArrivals, busiestWindow, emulatedMinutes, minuteMs, sustainedRatio } from "./postTimeline";

/** The documented per-minute ceiling of the collect API, per application and tenant. */
const PER_MINUTE_CEILING = 100;

/** Parameters of {@link runTenants}. */
export interface TenantsParams {
  /** Tenants in the `up` (profiles `t0` ... `t<k-1>`, one per tenant). */
  k: number;
  /** Collections per tenant. */
  n: number;
  parallel: number;
  timeScale: number;
}

/** One tenant's POSTs in a run. */
export interface TenantFigures {
  /** Most accepted collect POSTs of the tenant in any sliding emulated minute. */
  readonly busiestMinute: number;
  /** The throughput scenario's sustained rate / ceiling, over this tenant's POSTs. */
  readonly sustainedRatio: number;
  /** Emulated minutes from the tenant's first accepted POST to its last. */
  readonly spanMinutes: number;
  /** Collect POSTs (any answer) per collection. */
  readonly postsPerCollection: number;
}

/** Figures of one `up`. */
export interface TenantsRun {
  readonly tenants: readonly TenantFigures[];
  /** 429 answers on any route, every tenant. */
  readonly throttled: number;
  /** Collections declared / created in state. */
  readonly declared: number;
  readonly created: number;
  /** Real seconds of the `up`. */
  readonly upSeconds: number;
  /** Real seconds from the `up`'s start to the first accepted collect POST of any tenant (engine start-up). */
  readonly firstPostSeconds: number;
  /** Real seconds from the first accepted collect POST of any tenant to the last (the quota's part). */
  readonly postSpanSeconds: number;
  readonly error?: string;
}

/** Stack config `mde:profiles.t<i>.*` naming each tenant's default app (set with `path: true`). */
export function tenantProfiles(em: Emulator, k: number): ConfigMap {
  const config: ConfigMap = {};
  for (let i = 0; i < k; i++) {
    const t = em.tenant(i);
    config[`mde:profiles.t${i}.tenantId`] = { value: t.tenantId };
    config[`mde:profiles.t${i}.clientId`] = { value: t.defaultApp.clientId };
    config[`mde:profiles.t${i}.clientSecret`] = { value: t.defaultApp.clientSecret, secret: true };
  }
  return config;
}

/**
 * One collection per device of each tenant, declared interleaved (device j of every tenant, then j + 1):
 * the engine starts creates in declaration order, so one tenant's resources never queue behind another's.
 */
export function tenantsProgram(idsPerTenant: readonly (readonly string[])[]): PulumiFn {
  return async () => {
    const n = Math.max(0, ...idsPerTenant.map((ids) => ids.length));
    for (let j = 0; j < n; j++) {
      idsPerTenant.forEach((ids, i) => {
        const machineId = ids[j];
        if (machineId === undefined) return;
        new InvestigationPackageCollection(`t${i}-device-${j}`, {
          machineId,
          comment: `IR-4711: bench sweep of tenant ${i}, device ${j}`,
          profile: `t${i}`,
        });
      });
    }
    return {};
  };
}

/** Deploys `n` collections in each of `k` tenants in one `up` and measures each tenant's POSTs. */
export async function runTenants(p: TenantsParams): Promise<TenantsRun> {
  // Every tenant's fleet is a copy of tenant 0's (same names, ids of its own): n healthy devices each.
  const em = await startTestEmulator({ extraHealthyDevices: p.n, timeScale: p.timeScale, tenants: p.k });
  try {
    const ids = Array.from({ length: p.k }, (_, i) => {
      const healthy = em
        .tenant(i)
        .fleet.filter(isHealthy)
        .map((d) => d.id);
      if (healthy.length < p.n)
        throw new Error(`tenant ${i} has ${healthy.length} healthy devices, not ${p.n}`);
      return healthy.slice(0, p.n);
    });
    const stack = await benchStack(tenantsProgram(ids), { config: emulatorConfig(em) });
    try {
      await stack.stack.setAllConfig(tenantProfiles(em, p.k), true);
      const startedMs = Date.now();
      const up = await timedUp(stack, { parallel: p.parallel });
      const all = acceptedArrivals(em.calls(), "collect");
      const tenants = Array.from({ length: p.k }, (_, i) => {
        const calls = em.calls({ tenantId: em.tenant(i).tenantId });
        const arrivals = acceptedArrivals(calls, "collect");
        return {
          busiestMinute: busiestWindow(arrivals, minuteMs(p.timeScale)),
          sustainedRatio: sustainedRatio(arrivals, p.timeScale, PER_MINUTE_CEILING),
          spanMinutes: emulatedMinutes(arrivals[0] ?? 0, arrivals.at(-1) ?? 0, p.timeScale),
          postsPerCollection: calls.filter((c) => c.route === "collect").length / p.n,
        };
      });
      return {
        tenants,
        throttled: em.calls().filter((c) => c.status === 429).length,
        declared: p.k * p.n,
        created: (await stack.exportState()).resources.filter((r) => r.id).length,
        upSeconds: up.seconds,
        firstPostSeconds: ((all[0] ?? Number.NaN) - startedMs) / 1000,
        postSpanSeconds: ((all.at(-1) ?? Number.NaN) - (all[0] ?? Number.NaN)) / 1000,
        ...(up.error ? { error: up.error } : {}),
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await em.close();
  }
}
