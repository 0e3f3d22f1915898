/** Reading the onboarding package from Defender for Cloud: the answer's shape, and errors that say what to do. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type FetchLike,
  fetchWindowsOnboardingPackage,
  windowsPackageFrom,
} from "../src/mdeOnboardingPackage";

const answer =
  (status: number, body: unknown): FetchLike =>
  async () => ({ status, json: async () => body });

describe("mdeOnboardings", () => {
  it("takes onboardingPackageWindows from the list answer", () => {
    assert.equal(
      windowsPackageFrom({
        value: [{ properties: { onboardingPackageLinux: "L", onboardingPackageWindows: " W== " } }],
      }),
      "W==",
    );
  });

  it("fails with the remedy when the subscription has no package", async () => {
    await assert.rejects(
      fetchWindowsOnboardingPackage({
        subscriptionId: "s",
        armToken: "t",
        fetch: answer(200, { value: [] }),
      }),
      /no Windows onboarding package.*lab:onboardingPackage/s,
    );
  });

  it("reports the HTTP status and Azure's error code, never the token", async () => {
    const error = await fetchWindowsOnboardingPackage({
      subscriptionId: "s",
      armToken: "secret-token-value",
      fetch: answer(403, { error: { code: "AuthorizationFailed", message: "no access" } }),
    }).catch((e: unknown) => e as Error);
    assert.ok(error instanceof Error);
    assert.match(error.message, /HTTP 403 \(AuthorizationFailed: no access\)/);
    assert.match(error.message, /Defender for Servers/);
    assert.doesNotMatch(error.message, /secret-token-value/);
  });
});
