/**
 * Without `lab:onboardingPackage`, the lab reads the Windows onboarding package from Defender for
 * Cloud with the Azure provider's token, and hands it to the MDE.Windows extension (mocked deployment,
 * stand-in fetch).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { exerciseLab } from "../src/exerciseLab";
import { readLabConfig } from "../src/labConfig";
import type { FetchLike } from "../src/mdeOnboardingPackage";
import {
  ARM_TOKEN,
  isSecret,
  mockDeployment,
  reveal,
  SUBSCRIPTION_ID,
  settled,
  TYPES,
} from "./mockedDeployment";

const FETCHED_PACKAGE = "UEsDBBQAAAAIAGZldGNoZWQ=";
const deployment = mockDeployment(
  { "lab:adminPassword": "Correct-Horse-Battery-9", "lab:incidentId": "EX-2026-11" },
  ["lab:adminPassword"],
);
const requests: Array<{ url: string; headers: Record<string, string> }> = [];
const fetchStandIn: FetchLike = async (url, init) => {
  requests.push({ url, headers: init.headers });
  return {
    status: 200,
    json: async () => ({
      value: [{ name: "default", properties: { onboardingPackageWindows: FETCHED_PACKAGE } }],
    }),
  };
};

describe("exercise lab without a configured onboarding package (mocked deployment)", () => {
  before(async () => {
    const lab = exerciseLab(readLabConfig(), { fetch: fetchStandIn });
    await settled([lab.mdeExtension.urn, lab.evidence.download.urn, ...Object.values(lab.outputs)]);
  });

  it("reads mdeOnboardings of the subscription once, with the provider's ARM token", () => {
    assert.equal(requests.length, 1);
    assert.equal(
      requests[0]?.url,
      `https://management.azure.com/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Security/mdeOnboardings?api-version=2021-10-01-preview`,
    );
    assert.equal(requests[0]?.headers.Authorization, `Bearer ${ARM_TOKEN}`);
    assert.ok(deployment.invokes.includes("azure-native:authorization:getClientToken"));
  });

  it("gives the fetched package to MDE.Windows", () => {
    const extension = deployment.only(TYPES.extension);
    assert.ok(isSecret(extension.inputs.protectedSettings));
    assert.deepEqual(reveal(extension.inputs.protectedSettings), {
      defenderForEndpointOnboardingScript: FETCHED_PACKAGE,
    });
  });

  it("applies the defaults: P1, Standard_B2s in eastus, a one-day retention, mde-lab-01 waited for", () => {
    assert.equal(deployment.only(TYPES.pricing).inputs.subPlan, "P1");
    const vm = deployment.only(TYPES.vm);
    assert.equal(vm.inputs.hardwareProfile.vmSize, "Standard_B2s");
    assert.equal(vm.inputs.location, "eastus");
    assert.equal(deployment.only(TYPES.immutabilityPolicy).inputs.immutabilityPeriodSinceCreationInDays, 1);
    const collection = deployment.only(TYPES.collection);
    assert.equal(collection.inputs.computerDnsName, "mde-lab-01");
    assert.ok(collection.inputs.deviceWaitInMinutes > 0);
  });
});
