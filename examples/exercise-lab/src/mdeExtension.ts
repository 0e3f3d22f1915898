/**
 * The Microsoft Defender for Endpoint extension (MDE.Windows), as Defender for Cloud itself deploys it:
 * the VM's resource ID in the public settings, the tenant's Windows onboarding package (base64) in the
 * protected ones. The extension installs or updates the sensor and onboards the VM to that tenant.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as pulumi from "@pulumi/pulumi";

/** Publisher of the Defender for Endpoint extensions. */
export const MDE_PUBLISHER = "Microsoft.Azure.AzureDefenderForServers";
/** The Windows extension type (MDE.Linux is the Linux one). */
export const MDE_WINDOWS_TYPE = "MDE.Windows";
/** The extension's handler version; minor versions are upgraded automatically. */
export const MDE_TYPE_HANDLER_VERSION = "1.0";

/** Public settings of MDE.Windows. */
export interface MdeWindowsSettings {
  /** The VM's Azure resource ID: ties the Defender device to the Azure resource. */
  azureResourceId: string;
  /** Use the unified sensor on Windows Server 2012 R2 and 2016 (ignored on 2019 and later). */
  vNextEnabled: "true" | "false";
  /** `true` onboards again even when the VM already is (e.g. to move it to another tenant). */
  forceReOnboarding: boolean;
}

/** Declares MDE.Windows on the VM. The onboarding package stays secret in state and in the request. */
export function mdeExtension(args: {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  vmName: pulumi.Input<string>;
  vmId: pulumi.Input<string>;
  onboardingPackage: pulumi.Input<string>;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}): compute.VirtualMachineExtension {
  const settings = pulumi.output(args.vmId).apply(
    (azureResourceId): MdeWindowsSettings => ({
      azureResourceId,
      vNextEnabled: "true",
      forceReOnboarding: false,
    }),
  );
  const protectedSettings = pulumi
    .secret(args.onboardingPackage)
    .apply((defenderForEndpointOnboardingScript) => ({ defenderForEndpointOnboardingScript }));
  return new compute.VirtualMachineExtension(
    "lab-vm-mde",
    {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: args.tags,
      vmName: args.vmName,
      // The name Defender for Cloud gives it too, so that its own provisioning finds it in place.
      vmExtensionName: MDE_WINDOWS_TYPE,
      publisher: MDE_PUBLISHER,
      type: MDE_WINDOWS_TYPE,
      typeHandlerVersion: MDE_TYPE_HANDLER_VERSION,
      autoUpgradeMinorVersion: true,
      settings,
      protectedSettings,
    },
    { dependsOn: args.dependsOn ?? [], additionalSecretOutputs: ["protectedSettings"] },
  );
}
