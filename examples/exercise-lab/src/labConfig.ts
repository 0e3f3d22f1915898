/**
 * The lab's settings: stack config `lab:*`, checked before anything is declared so that a bad value
 * fails `pulumi preview` with a message naming the key, instead of an Azure error minutes into `up`.
 */
import * as pulumi from "@pulumi/pulumi";

/** Defender for Servers sub-plans that include Defender for Endpoint. */
export const DEFENDER_PLANS = ["P1", "P2"] as const;
export type DefenderPlan = (typeof DEFENDER_PLANS)[number];

/** Default `lab:location`: the region the README's cost estimate is for. */
export const DEFAULT_LOCATION = "eastus";
/** Default `lab:vmSize`: 2 burstable vCPUs and 4 GiB, enough for Windows Server and the sensor. */
export const DEFAULT_VM_SIZE = "Standard_B2s";
/** Default `lab:computerName`: the Windows host name, which Defender shows as the device name. */
export const DEFAULT_COMPUTER_NAME = "mde-lab-01";
/** Default `lab:adminUsername`. */
export const DEFAULT_ADMIN_USERNAME = "labadmin";
/** Default `lab:immutabilityDays`: short, so that the lab can be torn down the next day. */
export const DEFAULT_IMMUTABILITY_DAYS = 1;
/** Default `lab:deviceWaitInMinutes`: a new VM usually appears in Defender 10 to 30 minutes after boot. */
export const DEFAULT_DEVICE_WAIT_IN_MINUTES = 60;
/** Default `lab:completionTimeoutInMinutes`. */
export const DEFAULT_COMPLETION_TIMEOUT_IN_MINUTES = 60;

/** Longest time-based retention Azure accepts on a container (400 years). */
export const MAX_IMMUTABILITY_DAYS = 146_000;
/** Longest `deviceWaitInMinutes` pulumi-mde accepts (one day). */
export const MAX_DEVICE_WAIT_IN_MINUTES = 1440;

/** User names Azure refuses for a Windows VM's administrator (the common ones). */
const RESERVED_ADMIN_NAMES = new Set([
  "administrator",
  "admin",
  "user",
  "user1",
  "test",
  "test1",
  "root",
  "guest",
  "owner",
  "sys",
  "support",
]);

/** The `lab:*` values as stack config holds them (strings), before any check. */
export interface RawLabConfig {
  location?: string | undefined;
  adminUsername?: string | undefined;
  incidentId?: string | undefined;
  evidenceWriterPrincipalId?: string | undefined;
  immutabilityDays?: string | undefined;
  vmSize?: string | undefined;
  computerName?: string | undefined;
  defenderPlan?: string | undefined;
  manageDefenderPlan?: string | undefined;
  deviceWaitInMinutes?: string | undefined;
  completionTimeoutInMinutes?: string | undefined;
  collectionRevision?: string | undefined;
}

/** The lab's settings, checked, with defaults applied. Secrets are kept apart, in {@link LabConfig}. */
export interface LabSettings {
  /** Azure region of every resource. */
  location: string;
  adminUsername: string;
  /** Incident or exercise ID, e.g. `IR-4711`: in the collection's comment, the tags and the blob names (`<incidentId>/`). */
  incidentId: string;
  /**
   * Object ID of the identity pulumi-mde signs in with (the `mde:*` app's service principal, or your
   * user with `mde:useAzureCli`): it gets Storage Blob Data Contributor on the evidence container.
   * Absent: the identity that deploys the lab (the Azure provider's), right when both are your `az login`.
   */
  evidenceWriterPrincipalId: string | undefined;
  /** Time-based retention of the evidence container, in days since each blob's creation. */
  immutabilityDays: number;
  vmSize: string;
  /** Windows computer name (at most 15 characters): what `computerDnsName` targets in Defender. */
  computerName: string;
  defenderPlan: DefenderPlan;
  /** `false`: the subscription's Defender for Servers plan is managed elsewhere; the lab declares none. */
  manageDefenderPlan: boolean;
  deviceWaitInMinutes: number;
  completionTimeoutInMinutes: number;
  /** Changing it collects a new investigation package on the next `pulumi up`. */
  collectionRevision: string;
}

/** Everything the lab needs from config: the checked settings and the two secrets. */
export interface LabConfig extends LabSettings {
  /** Password of the VM's administrator (stack secret `lab:adminPassword`). */
  adminPassword: pulumi.Input<string>;
  /**
   * Base64 Windows onboarding package for the MDE.Windows extension (stack secret
   * `lab:onboardingPackage`). Absent: fetched from Defender for Cloud (`mdeOnboardings`) at deployment.
   */
  onboardingPackage?: pulumi.Input<string> | undefined;
}

function integerIn(key: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`lab:${key} must be a whole number from ${min} to ${max}, not "${raw}".`);
  }
  return value;
}

function booleanOf(key: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new Error(`lab:${key} must be true or false, not "${raw}".`);
}

function principalIdOf(raw: string | undefined): string | undefined {
  const value = raw?.trim() ?? "";
  if (value === "") return undefined;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new Error(`lab:evidenceWriterPrincipalId must be an object ID (a GUID), not "${value}".`);
  }
  return value.toLowerCase();
}

/**
 * Checks the raw `lab:*` values and applies the defaults. Pure: the unit tests call it directly.
 * @throws Error naming the key and what it must be, for the first value that is wrong.
 */
export function parseLabSettings(raw: RawLabConfig): LabSettings {
  const incidentId = raw.incidentId?.trim() ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(incidentId)) {
    throw new Error(
      `lab:incidentId is required: 1 to 64 letters, digits, '.', '_' or '-' (it names the evidence folder), e.g. IR-4711; got "${raw.incidentId ?? ""}".`,
    );
  }
  const computerName = raw.computerName?.trim() || DEFAULT_COMPUTER_NAME;
  if (!/^[A-Za-z0-9-]{1,15}$/.test(computerName) || /^[0-9]+$/.test(computerName)) {
    throw new Error(
      `lab:computerName must be 1 to 15 letters, digits or '-', not only digits (a Windows host name); got "${computerName}".`,
    );
  }
  const adminUsername = raw.adminUsername?.trim() || DEFAULT_ADMIN_USERNAME;
  if (
    RESERVED_ADMIN_NAMES.has(adminUsername.toLowerCase()) ||
    !/^[A-Za-z0-9._-]{1,20}$/.test(adminUsername)
  ) {
    throw new Error(
      `lab:adminUsername must be 1 to 20 letters, digits, '.', '_' or '-' and not a name Azure reserves (such as administrator or admin); got "${adminUsername}".`,
    );
  }
  const plan = raw.defenderPlan?.trim().toUpperCase() || "P1";
  if (!(DEFENDER_PLANS as readonly string[]).includes(plan)) {
    throw new Error(`lab:defenderPlan must be P1 or P2 (both include Defender for Endpoint); got "${plan}".`);
  }
  return {
    location: raw.location?.trim() || DEFAULT_LOCATION,
    adminUsername,
    incidentId,
    evidenceWriterPrincipalId: principalIdOf(raw.evidenceWriterPrincipalId),
    immutabilityDays: integerIn(
      "immutabilityDays",
      raw.immutabilityDays,
      DEFAULT_IMMUTABILITY_DAYS,
      1,
      MAX_IMMUTABILITY_DAYS,
    ),
    vmSize: raw.vmSize?.trim() || DEFAULT_VM_SIZE,
    computerName,
    defenderPlan: plan as DefenderPlan,
    manageDefenderPlan: booleanOf("manageDefenderPlan", raw.manageDefenderPlan, true),
    deviceWaitInMinutes: integerIn(
      "deviceWaitInMinutes",
      raw.deviceWaitInMinutes,
      DEFAULT_DEVICE_WAIT_IN_MINUTES,
      1,
      MAX_DEVICE_WAIT_IN_MINUTES,
    ),
    completionTimeoutInMinutes: integerIn(
      "completionTimeoutInMinutes",
      raw.completionTimeoutInMinutes,
      DEFAULT_COMPLETION_TIMEOUT_IN_MINUTES,
      1,
      MAX_DEVICE_WAIT_IN_MINUTES,
    ),
    collectionRevision: raw.collectionRevision?.trim() || "1",
  };
}

/** Reads `lab:*` from the stack config. */
export function readLabConfig(): LabConfig {
  const config = new pulumi.Config("lab");
  const settings = parseLabSettings({
    location: config.get("location"),
    adminUsername: config.get("adminUsername"),
    incidentId: config.get("incidentId"),
    evidenceWriterPrincipalId: config.get("evidenceWriterPrincipalId"),
    immutabilityDays: config.get("immutabilityDays"),
    vmSize: config.get("vmSize"),
    computerName: config.get("computerName"),
    defenderPlan: config.get("defenderPlan"),
    manageDefenderPlan: config.get("manageDefenderPlan"),
    deviceWaitInMinutes: config.get("deviceWaitInMinutes"),
    completionTimeoutInMinutes: config.get("completionTimeoutInMinutes"),
    collectionRevision: config.get("collectionRevision"),
  });
  return {
    ...settings,
    adminPassword: config.requireSecret("adminPassword"),
    onboardingPackage: config.getSecret("onboardingPackage"),
  };
}
