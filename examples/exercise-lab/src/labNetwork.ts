/**
 * The lab's network: one virtual network, one subnet, and a network security group that refuses RDP
 * from the Internet. The VM gets no public IP; reach it with Azure Bastion or Run Command if needed.
 */
import * as network from "@pulumi/azure-native/network";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import type * as pulumi from "@pulumi/pulumi";

/** Address space of the lab's virtual network. */
export const VNET_ADDRESS_PREFIX = "10.42.0.0/16";
/** The subnet the VM sits in. */
export const SUBNET_ADDRESS_PREFIX = "10.42.1.0/24";
/** RDP's port. */
export const RDP_PORT = "3389";

/**
 * The NSG's rules. Azure's defaults already deny inbound traffic from the Internet at priority 65500;
 * this explicit rule at the top says so for RDP, survives anyone adding a broader allow rule below it,
 * and shows in the portal and in audits.
 */
export const LAB_SECURITY_RULES: azureInputs.network.SecurityRuleArgs[] = [
  {
    name: "deny-rdp-from-internet",
    description: "No RDP from the Internet: use Azure Bastion or Run Command.",
    priority: 100,
    direction: "Inbound",
    access: "Deny",
    protocol: "Tcp",
    sourceAddressPrefix: "Internet",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: RDP_PORT,
  },
];

/** What {@link labNetwork} declares. */
export interface LabNetwork {
  virtualNetwork: network.VirtualNetwork;
  securityGroup: network.NetworkSecurityGroup;
  subnet: network.Subnet;
}

/** Declares the virtual network, the NSG and the subnet (with the NSG attached). */
export function labNetwork(args: {
  resourceGroupName: pulumi.Input<string>;
  location: string;
  tags: Record<string, string>;
}): LabNetwork {
  const { resourceGroupName, location, tags } = args;
  const securityGroup = new network.NetworkSecurityGroup("lab-nsg", {
    resourceGroupName,
    location,
    tags,
    securityRules: LAB_SECURITY_RULES,
  });
  const virtualNetwork = new network.VirtualNetwork("lab-vnet", {
    resourceGroupName,
    location,
    tags,
    addressSpace: { addressPrefixes: [VNET_ADDRESS_PREFIX] },
  });
  const subnet = new network.Subnet("lab-subnet", {
    resourceGroupName,
    virtualNetworkName: virtualNetwork.name,
    addressPrefix: SUBNET_ADDRESS_PREFIX,
    networkSecurityGroup: { id: securityGroup.id },
    // Subnets of new virtual networks are private by default: no way out to the Internet without a NAT
    // gateway or a public IP. The sensor must reach Defender's cloud, so the lab opts in to Azure's
    // default outbound access (free). Use a NAT gateway instead where policy forbids it.
    defaultOutboundAccess: true,
  });
  return { virtualNetwork, securityGroup, subnet };
}
