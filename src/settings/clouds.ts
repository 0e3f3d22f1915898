/**
 * The Defender clouds: API origin, token authority and OAuth scope of each, from Microsoft's API reference.
 */

/** Cloud names accepted by `mde:cloud`. */
export type CloudName = "commercial" | "us" | "eu" | "uk" | "au" | "swa" | "ina" | "gcc" | "gcc-high" | "dod";

/** Endpoints of one Defender cloud. */
export interface CloudEndpoints {
  /** API origin; paths are under `/api`. */
  apiEndpoint: string;
  /** Entra ID authority host. */
  authorityHost: string;
  /** OAuth scope of the Defender API. */
  scope: string;
}

const COMMERCIAL_SCOPE = "https://api.securitycenter.microsoft.com/.default";
const COMMERCIAL_AUTHORITY = "https://login.microsoftonline.com";
const geo = (region: string): CloudEndpoints => ({
  apiEndpoint: `https://${region}.api.security.microsoft.com`,
  authorityHost: COMMERCIAL_AUTHORITY,
  scope: COMMERCIAL_SCOPE,
});
const GOV: CloudEndpoints = {
  apiEndpoint: "https://api-gov.securitycenter.microsoft.us",
  authorityHost: "https://login.microsoftonline.us",
  scope: "https://api-gov.securitycenter.microsoft.us/.default",
};

/** Endpoints per cloud, from Microsoft's API reference. */
export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = {
  commercial: {
    apiEndpoint: "https://api.security.microsoft.com",
    authorityHost: COMMERCIAL_AUTHORITY,
    scope: COMMERCIAL_SCOPE,
  },
  us: geo("us"),
  eu: geo("eu"),
  uk: geo("uk"),
  au: geo("au"),
  swa: geo("swa"),
  ina: geo("ina"),
  gcc: {
    apiEndpoint: "https://api-gcc.securitycenter.microsoft.us",
    authorityHost: COMMERCIAL_AUTHORITY,
    scope: "https://api-gcc.securitycenter.microsoft.us/.default",
  },
  "gcc-high": GOV,
  dod: GOV,
};

/** Default `mde:cloud`. */
export const DEFAULT_CLOUD: CloudName = "commercial";

/** Domains of Microsoft's Defender API hosts (every cloud above, the legacy host, package link hosts). */
const MICROSOFT_DOMAINS = ["microsoft.com", "microsoft.us", "windows.com"];

/** True when `hostname` is one of Microsoft's (the real service, where limits and real time apply). */
export function isMicrosoftHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return MICROSOFT_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
