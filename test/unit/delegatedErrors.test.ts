/**
 * Errors for a signed-in user's (delegated) token: a 403 names the Defender role permission, the device
 * group and the delegated permission, and reads differently from the application's 403.
 */
import test from "ava";
import { apiStatusError as httpStatusError } from "../../src/client/apiStatusError";
import { OPERATIONS } from "../../src/client/operations";

const MACHINE = "0123456789abcdef0123456789abcdef01234567";

test("collect, user token: Alerts investigation or Collect investigation package, device group, scp", (t) => {
  const e = httpStatusError(403, {
    operation: OPERATIONS.collect,
    delegated: true,
    user: "responder@contoso.com",
    machineId: MACHINE,
    apiCode: "Forbidden",
    apiMessage: "User responder@contoso.com does not have the required Defender role permission",
  });
  t.is(e.code, "MDE_FORBIDDEN");
  t.is(e.status, 403);
  t.regex(e.message, /You are signed in as responder@contoso\.com/);
  t.regex(e.message, /"Alerts investigation"/);
  t.regex(e.message, /"Collect investigation package"/);
  t.regex(e.message, new RegExp(`access to the device group of device '${MACHINE}'`));
  t.regex(e.message, /delegated permission `Machine\.CollectForensics`/);
  t.regex(e.message, /Server said: Forbidden: User responder@contoso\.com does not have/);
  t.notRegex(e.message, /admin consent|application permission/i);
});

test("the user's 403 differs from the application's for the same call", (t) => {
  const context = { operation: OPERATIONS.collect, machineId: MACHINE, apiCode: "Forbidden" };
  const user = httpStatusError(403, { ...context, delegated: true }).message;
  const app = httpStatusError(403, context).message;
  t.not(user, app);
  t.regex(app, /The application is not allowed/);
  t.regex(app, /admin consent/);
  t.notRegex(user, /The application is not allowed/);
  t.regex(user, /You are signed in as a user/);
});

test("reads need View data; the package link needs Alerts investigation too", (t) => {
  const read = httpStatusError(403, { operation: OPERATIONS.getAction, delegated: true, actionId: "a-1" });
  t.regex(read.message, /"View data"/);
  t.regex(read.message, /machine action 'a-1'/);
  const link = httpStatusError(403, { operation: OPERATIONS.getPackageUri, delegated: true });
  t.regex(link.message, /"Alerts investigation"/);
});

test("a 401 with a user token says to sign in again, not to check the client secret", (t) => {
  const e = httpStatusError(401, { operation: OPERATIONS.collect, delegated: true });
  t.is(e.code, "MDE_UNAUTHORIZED");
  t.regex(e.message, /az login/);
  t.notRegex(e.message, /mde:clientSecret/);
});
