/** Sections 3 and 4 of the table: overhead against no-op resources, and the weight of state. */
import type { BenchPlan } from "./benchPlan";
import { figure, fixed, integer, mib } from "./figureRow";
import type { OverheadPair } from "./overhead";
import type { TableRow } from "./table";

/** The overhead and state-weight sections from the pairs with and without checkpoints. */
export function overheadRows(
  oh: BenchPlan["overhead"],
  withCheckpoints: readonly OverheadPair[],
  without: readonly OverheadPair[],
): TableRow[] {
  const all = [...withCheckpoints, ...without];
  const ratio = (r: OverheadPair) => r.collection.upSeconds / r.noop.upSeconds;
  return [
    {
      section: `3. Overhead: ${oh.n} collections (emulator unthrottled) vs ${oh.n} no-op dynamic resources, parallel ${oh.parallel}`,
    },
    figure("time ratio collections / no-op, default engine", withCheckpoints.map(ratio), fixed(2), {
      text: "<= 1.3",
      ok: (v) => v <= 1.3,
    }),
    figure(
      "  up wall time, collections (s)",
      withCheckpoints.map((r) => r.collection.upSeconds),
      fixed(1),
    ),
    figure(
      "  up wall time, no-op (s)",
      withCheckpoints.map((r) => r.noop.upSeconds),
      fixed(1),
    ),
    figure("time ratio, PULUMI_SKIP_CHECKPOINTS=true", without.map(ratio), fixed(2), {
      text: "<= 1.3",
      ok: (v) => v <= 1.3,
    }),
    figure(
      "  up wall time, collections (s)",
      without.map((r) => r.collection.upSeconds),
      fixed(1),
    ),
    figure(
      "  up wall time, no-op (s)",
      without.map((r) => r.noop.upSeconds),
      fixed(1),
    ),
    figure(
      "provider CPU time, collections (s)",
      withCheckpoints.map((r) => r.collection.providerCpuSeconds),
      fixed(1),
    ),
    figure(
      "provider CPU time, no-op (s)",
      withCheckpoints.map((r) => r.noop.providerCpuSeconds),
      fixed(1),
    ),
    figure(
      "engine CPU time, collections (s)",
      withCheckpoints.map((r) => r.collection.engineCpuSeconds),
      fixed(1),
    ),
    figure(
      "engine CPU time, no-op (s)",
      withCheckpoints.map((r) => r.noop.engineCpuSeconds),
      fixed(1),
    ),
    figure(
      "  engine CPU time, collections, no checkpoints (s)",
      without.map((r) => r.collection.engineCpuSeconds),
      fixed(1),
    ),
    figure(
      "  engine CPU time, no-op, no checkpoints (s)",
      without.map((r) => r.noop.engineCpuSeconds),
      fixed(1),
    ),
    figure(
      "provider peak RSS, collections (MiB)",
      all.map((r) => r.collection.providerPeakBytes),
      mib,
    ),
    figure(
      "provider peak RSS, no-op (MiB)",
      all.map((r) => r.noop.providerPeakBytes),
      mib,
    ),
    { section: "4. State weight: exported state of the overhead runs" },
    figure(
      "serialized provider (__provider), bytes",
      all.map((r) => r.collection.providerTextBytes),
      integer,
      { text: "< 4096", ok: (v) => v < 4096 },
    ),
    figure(
      "  stored per resource (inputs + outputs), bytes",
      all.map((r) => 2 * r.collection.providerTextBytes),
      integer,
    ),
    figure(
      "exported state per collection resource, bytes",
      all.map((r) => r.collection.stateBytesPerResource),
      integer,
    ),
    figure(
      "serialized no-op provider, bytes",
      all.map((r) => r.noop.providerTextBytes),
      integer,
    ),
    figure(
      "exported state per no-op resource, bytes",
      all.map((r) => r.noop.stateBytesPerResource),
      integer,
    ),
  ];
}
