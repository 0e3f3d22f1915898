/**
 * The `Emulator` methods for device targeting and identities (users, GitHub Actions), built
 * over the shared context so the server only spreads them into the emulator object.
 */
import type { EmulatorContext } from "./context";
import { onboardDevice, setMachineTags } from "./fleetControl";
import { githubActionsEnv, userAccessToken } from "./identityControl";
import type { UserRegistration } from "./identityTypes";
import type { Emulator } from "./types";

/** The methods of {@link Emulator} that this module implements. */
export type TargetingMethods = Pick<
  Emulator,
  "defaultUser" | "addUser" | "issueUserToken" | "setMachineTags" | "onboardDevice" | "githubActionsEnv"
>;

/** Builds the targeting and identity methods of an emulator whose first user is `defaultUser`. */
export function targetingMethods(ctx: EmulatorContext, defaultUser: UserRegistration): TargetingMethods {
  return {
    defaultUser,
    addUser: (user) => ctx.users.add(user),
    issueUserToken: (options = {}) => userAccessToken(ctx, options, defaultUser.upn).accessToken,
    setMachineTags: (idOrComputerDnsName, tags) => setMachineTags(ctx, idOrComputerDnsName, tags),
    onboardDevice: (device, options = {}) => onboardDevice(ctx, device, options.afterSeconds),
    githubActionsEnv: (options) => githubActionsEnv(ctx, options),
  };
}
