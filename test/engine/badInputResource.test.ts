/**
 * Bad resource inputs are rejected at `pulumi preview`, before any request: the error names the
 * field, what was expected and what to do, and the emulator sees no call at all.
 *
 * The engine stops at the first resource whose check fails, so each preview holds one bad resource;
 * `check` reports every bad field of that resource, so each pairs a bad machine ID with a bad
 * comment (or another bad field) and the test tells the two messages apart by the field they name.
 */
import test from "ava";
import { InvestigationPackageCollection } from "pulumi-mde";
import { emulatorStack, startTestEmulator } from "pulumi-mde-harness";
import { assertNoSecrets, emulatorSecrets, failureOf, serviceCalls } from "../helpers/faults";

interface BadCase {
  title: string;
  args: { machineId: string; comment: string; onConflict?: "adopt" | "fail" };
  /** Per field: what its message must say. */
  expect: Record<string, RegExp>;
}

const cases: BadCase[] = [
  {
    title: "empty machine ID and empty comment",
    args: { machineId: "", comment: "" },
    expect: {
      machineId:
        /machineId is required: expected the device's hex ID.*Give the device ID from the Defender portal/,
      comment: /comment is required: expected a non-empty text saying why the package is collected/,
    },
  },
  {
    title: "too-short machine ID and whitespace-only comment",
    args: { machineId: "1e5bc9d7", comment: " \t\n  " },
    expect: {
      machineId: /machineId must be hexadecimal, 32 to 40 characters.*"1e5bc9d7" \(8 characters\)/,
      comment: /comment is required/,
    },
  },
  {
    title: "machine ID with a non-hex character and a comment over 1000 characters",
    // "O" typed for "0": a mistyped ID, not a computer name.
    args: { machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0ccO7", comment: "x".repeat(1001) },
    expect: {
      machineId: /machineId must be hexadecimal.*"O" at position 38 is not a hex digit/,
      comment: /comment is too long: expected at most 1000 characters, got 1001/,
    },
  },
  {
    title: "computer name given as machine ID and a comment with a control character",
    args: { machineId: "ws-042.contoso.local", comment: "IR-4711 \u001b[31mred\u001b[0m" },
    expect: {
      machineId:
        /"ws-042.contoso.local".*looks like a computer name.*does not take names.*GET \/api\/machines\/\{computerDnsName\}/,
      comment: /comment contains a control character \(U\+001b\) at position 8.*Remove it/,
    },
  },
  {
    title: "Entra device ID (GUID) given as machine ID and an unknown onConflict",
    args: {
      machineId: "7c3ad9b2-52f1-4c58-9a3e-0f6d1b2e8a41",
      comment: "IR-4711",
      onConflict: "ignore" as "fail",
    },
    expect: {
      machineId: /which is a GUID: probably the device's Entra ID \(aadDeviceId\)/,
      onConflict: /onConflict must be "adopt".*or "fail", got "ignore"/,
    },
  },
];

for (const c of cases) {
  test(`preview rejects ${c.title}, and nothing is sent`, async (t) => {
    const em = await startTestEmulator();
    t.teardown(() => em.close());
    const s = await emulatorStack(em, async () => {
      new InvestigationPackageCollection("bad", c.args);
    });
    t.teardown(() => s.dispose());

    const failure = await failureOf(t, s.preview());
    for (const [field, message] of Object.entries(c.expect)) {
      // The engine prints "property <field> value ... has a problem: <reason>" per failure.
      t.regex(failure, new RegExp(`property ${field} value [\\s\\S]*? has a problem: `), `${field} is named`);
      t.regex(failure, message, `${field}: cause and fix`);
      t.regex(s.output(), message, `${field}: also in the engine's output`);
    }
    t.deepEqual(serviceCalls(em), [], "no token request, no API call");
    assertNoSecrets(t, { error: failure, output: s.output() }, emulatorSecrets(em));
  });
}
