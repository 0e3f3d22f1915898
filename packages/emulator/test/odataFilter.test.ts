import test from "ava";
import { matchesFilter, ODataFilterError, parseFilter } from "../src/odataFilter";

const FIELDS = ["name", "tags", "score", "seen", "status"];
const record = {
  name: "O'Brien-PC",
  tags: ["VIP", "Lab"],
  score: 7,
  seen: "2024-05-01T10:00:00.1234567Z",
  status: null,
};
const matches = (filter: string) => matchesFilter(parseFilter(filter, FIELDS, "Thing"), record);

test("comparisons, logic, precedence and parentheses", (t) => {
  t.true(matches("name eq 'o''brien-pc'"), "'' escapes a quote; equality ignores case");
  t.true(matches("score gt 5 and score le 7"));
  t.false(matches("score lt 7"));
  t.true(matches("score eq 1 or score eq 7 and name ne 'x'"), "and binds tighter than or");
  t.false(matches("(score eq 1 or score eq 7) and name eq 'x'"));
  t.true(matches("not (score eq 1)"));
  t.true(matches("status eq null"));
  t.true(matches("NAME EQ 'O''BRIEN-PC'"), "keywords and property names are case-insensitive");
});

test("lambdas over collections", (t) => {
  t.true(matches("tags/any(t: t eq 'vip')"));
  t.false(matches("tags/any(t: t eq 'Prod')"));
  t.false(matches("tags/all(t: t eq 'VIP')"));
  t.true(matches("tags/any(t: t eq 'Lab') and tags/any(x: x eq 'VIP')"));
});

test("date-times compare as instants, quoted or not", (t) => {
  t.true(matches("seen gt 2024-05-01T09:59:59Z"));
  t.true(matches("seen ge '2024-05-01T10:00:00Z'"));
  t.false(matches("seen lt 2024-05-01T10:00:00Z"));
  t.true(matches("seen gt 2024-05-01"));
});

test("syntax errors and unknown properties throw ODataFilterError", (t) => {
  for (const bad of [
    "name eq 'open",
    "name eq",
    "colour eq 'red'",
    "name eq 'a' and",
    "startswith(name,'O')",
    "name xx 'a'",
    "(name eq 'a'",
  ]) {
    t.throws(() => parseFilter(bad, FIELDS, "Thing"), { instanceOf: ODataFilterError }, bad);
  }
});
