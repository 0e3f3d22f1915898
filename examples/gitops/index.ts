/**
 * GitOps-driven response: the responses to carry out live in the stack's config file
 * (`Pulumi.<stack>.yaml`, key `gitops:responses`), reviewed in pull requests; CI runs `pulumi preview`
 * on a pull request (with the guardrails policy pack) and `pulumi up` on merge.
 *
 * ```yaml
 * config:
 *   gitops:responses:
 *     - ticket: IR-4711
 *       reason: collect forensics after alert 1234
 *       devices:
 *         - computerDnsName: ws-042.contoso.local
 *         - machineId: 1e5bc9d7e413ddd7902c2932e418702b84d0cc07
 * ```
 *
 * Each device of each response is one collection, named after the ticket and the device: adding a
 * device adds a collection, removing one drops it from state (evidence stays collected), and a
 * `revision` on a response collects again from all its devices.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Response, respond } from "./responses";

const config = new pulumi.Config("gitops");
/** One entry per collection: its action ID and status. */
export const collections = respond(config.requireObject<Response[]>("responses"));
