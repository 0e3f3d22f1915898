import path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/**
 * A `directory` input resolved in the program: a relative path is taken from the program's working
 * directory, which is the user's (the provider process may run elsewhere). Empty or non-string values pass
 * through for `check` to judge.
 */
export function programDirectory(
  directory: pulumi.Input<string> | undefined,
): pulumi.Output<string> | undefined {
  if (directory === undefined) return undefined;
  return pulumi
    .output(directory)
    .apply((d) => (typeof d === "string" && d.trim() !== "" ? path.resolve(d) : d));
}
