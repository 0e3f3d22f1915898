import test from "ava";
import {
  checkCollectionInputs,
  diffCollectionInputs,
  MAX_COMMENT_LENGTH,
  UNKNOWN_VALUE,
} from "../../src/resources/collection/collectionInputs";

const ID = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";
const ok = { machineId: ID, comment: "IR-4711: collect forensics" };

function failureFor(news: Record<string, unknown>, property: string): string {
  const { failures } = checkCollectionInputs(news);
  const failure = failures.find((f) => f.property === property);
  if (!failure) throw new Error(`no failure for ${property}: ${JSON.stringify(failures)}`);
  return failure.reason;
}

test("valid inputs pass and get their defaults", (t) => {
  const { inputs, failures } = checkCollectionInputs({ ...ok, machineId: ID.toUpperCase() });
  t.deepEqual(failures, []);
  t.like(inputs, {
    machineId: ID,
    waitForCompletion: false,
    completionTimeoutInMinutes: 60,
    cancelOnDelete: false,
    onConflict: "adopt",
  });
});

test("32-character legacy device IDs are accepted", (t) => {
  t.deepEqual(checkCollectionInputs({ ...ok, machineId: "a".repeat(32) }).failures, []);
});

for (const [label, machineId, expected] of [
  ["empty", "", /machineId is required.*hex ID/],
  ["missing", undefined, /machineId is required/],
  ["too short", "abc123", /hexadecimal, 32 to 40 characters.*"abc123" \(6 characters\)/],
  ["too long", "a".repeat(41), /hexadecimal, 32 to 40/],
  ["non-hex", `${"z".repeat(39)}0`, /looks like a computer name/],
  ["a computer name", "ws-042.contoso.local", /looks like a computer name.*does not take names/],
  ["a number", 42, /machineId is required/],
] as const) {
  test(`machineId ${label} is rejected with the field named`, (t) => {
    t.regex(failureFor({ ...ok, machineId }, "machineId"), expected);
  });
}

for (const [label, comment, expected] of [
  ["empty", "", /comment is required/],
  ["whitespace", "  \t ", /comment is required/],
  [
    "too long",
    "x".repeat(MAX_COMMENT_LENGTH + 1),
    new RegExp(`at most ${MAX_COMMENT_LENGTH} characters, got ${MAX_COMMENT_LENGTH + 1}`),
  ],
  ["with a control character", "IR-1\u0007 bell", /control character \(U\+0007\) at position 4/],
  ["with an escape sequence", "IR-1 \u001b[31mred", /control character \(U\+001b\)/],
  [
    "with a right-to-left override",
    "IR-1 invoice\u202Etxt.exe",
    /invisible formatting character \(U\+202E\) at position 12/,
  ],
  ["with a zero-width space", "IR-\u200B4711", /invisible formatting character \(U\+200B\)/],
  ["with a byte-order mark", "\uFEFFIR-4711", /invisible formatting character \(U\+FEFF\) at position 0/],
  ["with a lone surrogate", "IR-4711 \uD83D alone", /unpaired UTF-16 surrogate\) at position 8/],
] as const) {
  test(`comment ${label} is rejected with the field named`, (t) => {
    t.regex(failureFor({ ...ok, comment }, "comment"), expected);
  });
}

test("emoji and other scripts are accepted", (t) => {
  t.deepEqual(checkCollectionInputs({ ...ok, comment: "IR-4711 🔥 تحقيق 調査" }).failures, []);
});

test("multi-line comments are accepted", (t) => {
  t.deepEqual(checkCollectionInputs({ ...ok, comment: "IR-4711\n\tstep 3 of the runbook" }).failures, []);
});

test("behaviour settings are checked", (t) => {
  t.regex(failureFor({ ...ok, onConflict: "ignore" }, "onConflict"), /"adopt".*or "fail", got "ignore"/);
  t.regex(failureFor({ ...ok, waitForCompletion: "yes" }, "waitForCompletion"), /true or false/);
  t.regex(
    failureFor({ ...ok, completionTimeoutInMinutes: 0 }, "completionTimeoutInMinutes"),
    /greater than 0/,
  );
  t.regex(failureFor({ ...ok, triggers: "v2" }, "triggers"), /must be an array/);
});

test("values unknown at preview are not judged", (t) => {
  t.deepEqual(checkCollectionInputs({ machineId: UNKNOWN_VALUE, comment: UNKNOWN_VALUE }).failures, []);
});

test("machineId, comment and triggers replace; behaviour settings only update", (t) => {
  const olds = checkCollectionInputs({ ...ok, triggers: [1] }).inputs;
  t.deepEqual(diffCollectionInputs(olds, { ...olds }), { changed: [], replaces: [] });
  t.deepEqual(diffCollectionInputs(olds, { ...olds, comment: "IR-4712" }).replaces, ["comment"]);
  t.deepEqual(diffCollectionInputs(olds, { ...olds, triggers: [2] }).replaces, ["triggers"]);
  t.deepEqual(diffCollectionInputs(olds, { ...olds, cancelOnDelete: true }), {
    changed: ["cancelOnDelete"],
    replaces: [],
  });
  t.deepEqual(
    diffCollectionInputs(olds, { ...olds, onConflict: "fail", completionTimeoutInMinutes: 5 }).replaces,
    [],
  );
});

test("state written without defaults shows no change", (t) => {
  const news = checkCollectionInputs(ok).inputs;
  t.deepEqual(diffCollectionInputs({ ...ok }, news), { changed: [], replaces: [] });
});

test("an input unknown at preview counts as a change", (t) => {
  const olds = checkCollectionInputs(ok).inputs;
  t.deepEqual(diffCollectionInputs(olds, { ...olds, comment: UNKNOWN_VALUE }).replaces, ["comment"]);
});
