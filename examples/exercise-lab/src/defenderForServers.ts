/**
 * Defender for Servers on the subscription: the `VirtualMachines` plan at the Standard tier, which
 * licenses Defender for Endpoint on the subscription's servers and connects it to Defender for Cloud.
 */
import * as security from "@pulumi/azure-native/security";
import * as pulumi from "@pulumi/pulumi";
import type { DefenderPlan } from "./labConfig";

/** The Defender for Cloud plan that covers virtual machines and Arc machines. */
export const SERVERS_PRICING_NAME = "VirtualMachines";

/**
 * Declares the subscription's Defender for Servers plan.
 *
 * The plan is subscription-wide: it covers (and bills) every VM and Arc machine of the subscription, not
 * only the lab's. It is kept on `pulumi destroy` (`retainOnDelete`): Azure refuses to delete a
 * subscription-level pricing (400 `InvalidUrlConfiguration`), and switching it to Free would remove
 * protection from every other server. The README says how to switch it off by hand.
 */
export function defenderForServers(args: {
  subscriptionId: pulumi.Input<string>;
  plan: DefenderPlan;
}): security.Pricing {
  return new security.Pricing(
    "defender-for-servers",
    {
      scopeId: pulumi.interpolate`subscriptions/${args.subscriptionId}`,
      pricingName: SERVERS_PRICING_NAME,
      pricingTier: "Standard",
      subPlan: args.plan,
    },
    { retainOnDelete: true },
  );
}
