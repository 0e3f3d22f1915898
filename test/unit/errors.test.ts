import test from "ava";
import { apiStatusError as httpStatusError } from "../../src/client/apiStatusError";
import { OPERATIONS } from "../../src/client/operations";
import { DefenderError, isDefenderError } from "../../src/core/errors";
import { registerSecret } from "../../src/core/redact";

test("403 names the permission, admin consent and device-group scope", (t) => {
  const e = httpStatusError(403, {
    operation: OPERATIONS.collect,
    machineId: "abc",
    apiCode: "Forbidden",
    correlationId: "corr-1",
  });
  t.is(e.code, "MDE_FORBIDDEN");
  t.is(e.status, 403);
  t.is(e.correlationId, "corr-1");
  t.regex(e.message, /Machine\.CollectForensics/);
  t.regex(e.message, /admin consent/);
  t.regex(e.message, /corr-1/);
  const read = httpStatusError(403, { operation: OPERATIONS.getAction });
  t.regex(read.message, /Machine\.Read\.All/);
});

test("401 says what to check", (t) => {
  const e = httpStatusError(401, { operation: OPERATIONS.getMachine });
  t.is(e.code, "MDE_UNAUTHORIZED");
  t.regex(e.message, /mde:tenantId/);
  t.regex(e.message, /mde:clientId/);
});

test("404 names the device or the action", (t) => {
  t.regex(
    httpStatusError(404, { operation: OPERATIONS.collect, machineId: "deadbeef" }).message,
    /Device 'deadbeef'/,
  );
  t.regex(
    httpStatusError(404, { operation: OPERATIONS.getAction, actionId: "a-1" }).message,
    /Machine action 'a-1'/,
  );
});

test("400 codes map to specific codes", (t) => {
  t.is(
    httpStatusError(400, { operation: OPERATIONS.collect, apiCode: "ActiveRequestAlreadyExists" }).code,
    "MDE_ACTIVE_REQUEST_EXISTS",
  );
  t.is(
    httpStatusError(400, { operation: OPERATIONS.collect, apiCode: "OsPlatformNotSupported" }).code,
    "MDE_OS_NOT_SUPPORTED",
  );
  t.is(
    httpStatusError(400, { operation: OPERATIONS.collect, apiCode: "InvalidInput" }).code,
    "MDE_BAD_REQUEST",
  );
  t.is(httpStatusError(429, { operation: OPERATIONS.collect, retryAfterMs: 5000 }).retryAfterMs, 5000);
  t.is(httpStatusError(502, { operation: OPERATIONS.collect }).code, "MDE_SERVER_ERROR");
});

test("messages are redacted; both constructor forms work", (t) => {
  registerSecret("super-secret-value");
  const a = new DefenderError("MDE_AUTH_FAILED", "failed with super-secret-value and Bearer abc.def");
  t.false(a.message.includes("super-secret-value"));
  t.false(a.message.includes("abc.def"));
  const b = new DefenderError({ code: "MDE_NOT_FOUND", message: "gone", status: 404 });
  t.is(b.status, 404);
  t.true(isDefenderError(b, "MDE_NOT_FOUND"));
  t.false(isDefenderError(b, "MDE_FORBIDDEN"));
  t.false(isDefenderError(new Error("x")));
  t.is(b.name, "DefenderError");
});
