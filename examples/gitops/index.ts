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
 *
 * With `gitops:evidenceContainerUrl` (an immutable blob container) each package is downloaded into
 * it as `<ticket>/<device>-<actionId>.zip` with its manifest: the runner's disk is gone when the job
 * ends, the container keeps the evidence. `gitops:requireImmutableStorage: false` only for a test
 * container.
 */
import * as pulumi from "@pulumi/pulumi";
import { type EvidenceContainer, type Response, respond } from "./responses";

const config = new pulumi.Config("gitops");
const containerUrl = config.get("evidenceContainerUrl");
const requireImmutableStorage = config.getBoolean("requireImmutableStorage");
const container: EvidenceContainer | undefined = containerUrl
  ? { containerUrl, ...(requireImmutableStorage === undefined ? {} : { requireImmutableStorage }) }
  : undefined;
const responded = respond(config.requireObject<Response[]>("responses"), container);
/** One entry per collection: its action ID and status. */
export const collections = responded.collections;
/** One entry per collection with an evidence container: its blob, manifest blob and hash. */
export const evidence = responded.evidence;
