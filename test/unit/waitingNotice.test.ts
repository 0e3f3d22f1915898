/**
 * The waiting notice's pure parts: where the program learns the engine's parallelism, and when and how
 * the notice speaks. Its appearance in `pulumi preview` and `pulumi up` output is in
 * test/engine/parallelismNotice.test.ts.
 */
import test from "ava";
import { engineParallelism, waitingNotice } from "../../src/sdk/waitingNotice";

test("the parallelism comes from PULUMI_NODEJS_PARALLEL, which the language host sets from --parallel", (t) => {
  t.is(engineParallelism({ PULUMI_NODEJS_PARALLEL: "8" }), 8);
  t.is(engineParallelism({ PULUMI_NODEJS_PARALLEL: "64" }), 64);
});

test("no usable parallelism, no number: no notice rather than a guess", (t) => {
  // Outside an engine run (this test process) no runtime store holds a positive parallelism either.
  t.is(engineParallelism({}), undefined);
  t.is(engineParallelism({ PULUMI_NODEJS_PARALLEL: "0" }), undefined);
  t.is(engineParallelism({ PULUMI_NODEJS_PARALLEL: "many" }), undefined);
  t.is(waitingNotice({ collections: 100, downloads: 0 }, undefined), undefined);
});

test("waiting creates that fit the engine's slots give no notice", (t) => {
  t.is(waitingNotice({ collections: 8, downloads: 0 }, 8), undefined);
  t.is(waitingNotice({ collections: 4, downloads: 4 }, 8), undefined);
  t.is(waitingNotice({ collections: 0, downloads: 0 }, 1), undefined);
});

test("more waiting creates than slots: one paragraph with the number and both ways to set it", (t) => {
  const notice = waitingNotice({ collections: 12, downloads: 0 }, 8) ?? "";
  t.regex(notice, /this program has 12 creates that wait \(12 collections with waitForCompletion\)/);
  t.regex(notice, /the engine runs 8 operations at a time/);
  t.true(notice.includes("`pulumi up --parallel 12`"));
  t.true(notice.includes("PULUMI_PARALLEL=12"));
  t.false(notice.includes("\n"), "one paragraph");
});

test("downloads count with the collections, and the notice names both", (t) => {
  const notice = waitingNotice({ collections: 1, downloads: 9 }, 8) ?? "";
  t.regex(notice, /10 creates that wait \(1 collection with waitForCompletion and 9 downloads\)/);
  t.true(notice.includes("--parallel 10"));
});
