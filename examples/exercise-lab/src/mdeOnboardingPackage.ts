/**
 * The Windows onboarding package that the MDE.Windows extension needs, read from Defender for Cloud:
 * `GET /subscriptions/{id}/providers/Microsoft.Security/mdeOnboardings` answers with the package of the
 * Defender for Endpoint tenant the subscription is connected to (base64, `onboardingPackageWindows`).
 * That is where Defender for Cloud's own provisioning takes it from, so nobody has to download the
 * package from the Defender portal and paste it into config.
 */

/** Azure Resource Manager in the public cloud. */
export const ARM_ENDPOINT = "https://management.azure.com";
/** The API version that serves `mdeOnboardings`. */
export const MDE_ONBOARDINGS_API_VERSION = "2021-10-01-preview";
/** How long to wait for Resource Manager. */
export const ONBOARDING_REQUEST_TIMEOUT_IN_MS = 30_000;

/** The part of `fetch` this module uses, so tests can pass a stand-in. */
export type FetchLike = (
  url: string,
  init: { method: "GET"; headers: Record<string, string>; signal?: AbortSignal },
) => Promise<{ status: number; json(): Promise<unknown> }>;

/** The URL of the subscription's onboarding packages. */
export function mdeOnboardingsUrl(subscriptionId: string, armEndpoint: string = ARM_ENDPOINT): string {
  return `${armEndpoint.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Security/mdeOnboardings?api-version=${MDE_ONBOARDINGS_API_VERSION}`;
}

/** What to do when the package cannot be had, appended to every error. */
const REMEDY =
  "Check that Defender for Servers is on for the subscription and connected to your Defender for Endpoint tenant " +
  "(Defender for Cloud → Environment settings → the subscription → Integrations), or set the package yourself: " +
  "pulumi config set --secret lab:onboardingPackage <base64 onboardingPackageWindows>.";

/** Picks `onboardingPackageWindows` out of an `mdeOnboardings` list answer. */
export function windowsPackageFrom(body: unknown): string {
  const value = (body as { value?: unknown } | null)?.value;
  const entries = Array.isArray(value) ? value : [];
  for (const entry of entries) {
    const pkg = (entry as { properties?: { onboardingPackageWindows?: unknown } } | null)?.properties
      ?.onboardingPackageWindows;
    if (typeof pkg === "string" && pkg.trim() !== "") return pkg.trim();
  }
  throw new Error(
    `Defender for Cloud returned no Windows onboarding package for this subscription. ${REMEDY}`,
  );
}

/** `code: message` of an Azure Resource Manager error answer, when it has one. */
function armErrorText(body: unknown): string {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : undefined;
  const message = typeof error?.message === "string" ? error.message.slice(0, 300) : undefined;
  return [code, message].filter((part) => part !== undefined).join(": ");
}

/**
 * Reads the Windows onboarding package of the subscription's Defender for Endpoint tenant.
 * The token authorizes the request only: it appears in no error.
 * @throws Error with the HTTP status, Azure's error code and what to do.
 */
export async function fetchWindowsOnboardingPackage(args: {
  subscriptionId: string;
  armToken: string;
  fetch?: FetchLike;
  armEndpoint?: string;
}): Promise<string> {
  const doFetch = args.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const response = await doFetch(mdeOnboardingsUrl(args.subscriptionId, args.armEndpoint), {
    method: "GET",
    headers: { Authorization: `Bearer ${args.armToken}`, Accept: "application/json" },
    signal: AbortSignal.timeout(ONBOARDING_REQUEST_TIMEOUT_IN_MS),
  });
  const body = await response.json().catch(() => undefined);
  if (response.status !== 200) {
    const detail = armErrorText(body);
    throw new Error(
      `Reading the Defender for Endpoint onboarding package failed with HTTP ${response.status}${detail ? ` (${detail})` : ""}. ${REMEDY}`,
    );
  }
  return windowsPackageFrom(body);
}
