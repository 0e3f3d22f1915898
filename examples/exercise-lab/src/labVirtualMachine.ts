/**
 * The lab's Windows VM: a network interface with a private address only, and Windows Server 2022 with
 * Trusted Launch. No public IP: nothing on the Internet can reach it.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";

/** The image: Windows Server 2022 Datacenter, generation 2 (needed for Trusted Launch). */
export const WINDOWS_IMAGE = {
  publisher: "MicrosoftWindowsServer",
  offer: "WindowsServer",
  sku: "2022-datacenter-g2",
  version: "latest",
} as const;

/** What {@link labVirtualMachine} declares. */
export interface LabVirtualMachine {
  networkInterface: network.NetworkInterface;
  vm: compute.VirtualMachine;
  /** The Windows computer name, known once the VM exists: what Defender shows as the device name. */
  computerName: pulumi.Output<string>;
}

/** Declares the NIC (private IP only) and the VM. */
export function labVirtualMachine(args: {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
  subnetId: pulumi.Input<string>;
  vmSize: string;
  computerName: string;
  adminUsername: string;
  adminPassword: pulumi.Input<string>;
}): LabVirtualMachine {
  const { resourceGroupName, location, tags } = args;
  const networkInterface = new network.NetworkInterface("lab-vm-nic", {
    resourceGroupName,
    location,
    tags,
    ipConfigurations: [
      {
        name: "private",
        primary: true,
        subnet: { id: args.subnetId },
        privateIPAllocationMethod: "Dynamic",
        // No publicIPAddress: the VM is reachable from the virtual network only.
      },
    ],
  });
  const vm = new compute.VirtualMachine("lab-vm", {
    resourceGroupName,
    location,
    tags,
    hardwareProfile: { vmSize: args.vmSize },
    osProfile: {
      computerName: args.computerName,
      adminUsername: args.adminUsername,
      adminPassword: pulumi.secret(args.adminPassword),
      windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true },
    },
    storageProfile: {
      imageReference: { ...WINDOWS_IMAGE },
      osDisk: {
        createOption: "FromImage",
        caching: "ReadWrite",
        managedDisk: { storageAccountType: "StandardSSD_LRS" },
        // The disk is not a Pulumi resource: deleting the VM deletes it.
        deleteOption: "Delete",
      },
    },
    networkProfile: { networkInterfaces: [{ id: networkInterface.id, primary: true }] },
    securityProfile: {
      securityType: "TrustedLaunch",
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    },
    // Serial console and screenshots, in storage Azure manages: a way in without RDP.
    diagnosticsProfile: { bootDiagnostics: { enabled: true } },
  });
  // The configured name, once the VM exists. Not read back from `osProfile`: that output holds the
  // password, so everything taken from it would be a secret too.
  const computerName = vm.id.apply(() => args.computerName);
  return { networkInterface, vm, computerName };
}
