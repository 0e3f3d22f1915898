import test from "ava";
import { buildMachineFilter, rawFilterProblem } from "../../src/client/machineFilter";
import { isDefenderError } from "../../src/core/errors";

test("no criteria: no filter", (t) => {
  t.is(buildMachineFilter({}), undefined);
  t.is(buildMachineFilter(), undefined);
  t.is(buildMachineFilter({ tag: undefined, filter: undefined }), undefined);
});

test("each criterion has its OData form, combined with and, in a fixed order", (t) => {
  t.is(
    buildMachineFilter({ computerDnsName: "ws-042.contoso.com" }),
    "computerDnsName eq 'ws-042.contoso.com'",
  );
  t.is(buildMachineFilter({ tag: "incident-4711" }), "machineTags/any(tag: tag eq 'incident-4711')");
  t.is(
    buildMachineFilter({
      filter: "riskScore eq 'High' or exposureLevel eq 'High'",
      rbacGroupId: 42,
      osPlatform: "Windows11",
      healthStatus: "Active",
      tag: "IR",
      computerDnsName: "ws-1",
    }),
    "computerDnsName eq 'ws-1' and machineTags/any(tag: tag eq 'IR') and healthStatus eq 'Active' and osPlatform eq 'Windows11' and rbacGroupId eq 42 and (riskScore eq 'High' or exposureLevel eq 'High')",
  );
});

test("a quote in a value is doubled: it cannot end the literal and change the filter", (t) => {
  t.is(buildMachineFilter({ computerDnsName: "o'brien-pc" }), "computerDnsName eq 'o''brien-pc'");
  const injection = "x' or computerDnsName ne 'x";
  const filter = buildMachineFilter({ computerDnsName: injection, tag: "a'b" }) as string;
  t.is(filter, "computerDnsName eq 'x'' or computerDnsName ne ''x' and machineTags/any(tag: tag eq 'a''b')");
  // The whole filter is literals and the fixed clauses: no quote is left unbalanced.
  t.is(rawFilterProblem(filter), undefined);
});

test("values are trimmed; the raw filter is always kept inside parentheses", (t) => {
  t.is(buildMachineFilter({ tag: "  IR  " }), "machineTags/any(tag: tag eq 'IR')");
  t.is(buildMachineFilter({ filter: " a eq 1 or b eq 2 " }), "(a eq 1 or b eq 2)");
});

test("empty or ill-typed criteria are rejected, naming the criterion", (t) => {
  for (const [args, pattern] of [
    [{ computerDnsName: "" }, /computerDnsName must be a non-empty string, got ""/],
    [{ tag: "   " }, /tag must be a non-empty string/],
    [{ healthStatus: 1 }, /healthStatus must be a non-empty string, got number 1/],
    [{ rbacGroupId: 1.5 }, /rbacGroupId must be the numeric ID of a device group.*number 1.5/],
    [{ rbacGroupId: -1 }, /rbacGroupId must be/],
    [{ rbacGroupId: "7" }, /rbacGroupId must be.*"7"/],
    [{ filter: "" }, /filter must be a non-empty OData expression/],
  ] as const) {
    const error = t.throws(() => buildMachineFilter(args as never));
    t.true(isDefenderError(error, "MDE_BAD_REQUEST"));
    t.regex(error.message, pattern);
  }
});

test("a raw filter that could break out of its parentheses is rejected", (t) => {
  t.regex(
    t.throws(() => buildMachineFilter({ tag: "IR", filter: "a eq 1) or (b eq 2" })).message,
    /not a whole OData expression: the "\)" at position 6 closes a parenthesis never opened/,
  );
  t.regex(
    t.throws(() => buildMachineFilter({ filter: "computerDnsName eq 'x" })).message,
    /a '\.\.\.' string is not closed/,
  );
  t.regex(t.throws(() => buildMachineFilter({ filter: "((a eq 1)" })).message, /1 parenthesis is not closed/);
  // Parentheses and doubled quotes inside literals are text.
  t.is(rawFilterProblem("computerDnsName eq 'a)b''(c'"), undefined);
  t.is(buildMachineFilter({ filter: "computerDnsName eq 'a)'" }), "(computerDnsName eq 'a)')");
});
