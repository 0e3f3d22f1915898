/**
 * Guardrails for a GitOps repository of incident responses, as a Pulumi policy pack:
 * - every collection's comment cites a ticket (a configurable pattern), so the action center and the
 *   audit trail say why evidence was taken;
 * - at most N new collections per deployment (configurable), so a typo in a device list or a tag
 *   cannot start hundreds of collections;
 * - no `cancelOnDelete`: a reverted pull request must not cancel evidence collection.
 *
 * Run it with `pulumi preview --policy-pack <this folder>` on pull requests and `pulumi up
 * --policy-pack <this folder>` on merge.
 */
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";

/** The resource type of pulumi-mde's collection as the engine reports it. */
export const COLLECTION_TYPE = "pulumi-nodejs:dynamic/mde:InvestigationPackageCollection";
/** Default ticket pattern: a project key and a number, e.g. `IR-4711`, at the start of the comment. */
export const DEFAULT_TICKET_PATTERN = "^[A-Z][A-Z0-9]+-[0-9]+\\b";
/** Default ceiling of new collections in one deployment. */
export const DEFAULT_MAX_NEW_COLLECTIONS = 10;

const commentCitesTicket: ResourceValidationPolicy = {
  name: "comment-cites-ticket",
  description: "Every collection's comment starts with the ticket it answers (e.g. IR-4711).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { pattern: { type: "string", default: DEFAULT_TICKET_PATTERN } },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== COLLECTION_TYPE) return;
    const pattern = new RegExp(args.getConfig<{ pattern: string }>().pattern);
    const comment = args.props.comment;
    if (typeof comment === "string" && !pattern.test(comment)) {
      reportViolation(
        `The comment ${JSON.stringify(comment)} cites no ticket: start it with the ticket this collection answers (pattern ${pattern.source}), e.g. "IR-4711: collect after alert 1234".`,
      );
    }
  },
};

const noCancelOnDelete: ResourceValidationPolicy = {
  name: "no-cancel-on-delete",
  description:
    "Collections never set cancelOnDelete: reverting a pull request must not cancel evidence collection.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === COLLECTION_TYPE && args.props.cancelOnDelete === true) {
      reportViolation(
        "cancelOnDelete is true: removing this collection from the repository (a revert) would cancel a running evidence collection. Remove cancelOnDelete; cancel by hand in the Defender portal when you mean it.",
      );
    }
  },
};

const maxNewCollections: StackValidationPolicy = {
  name: "max-new-collections",
  description: "A deployment starts at most a set number of new collections.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { max: { type: "integer", minimum: 1, default: DEFAULT_MAX_NEW_COLLECTIONS } },
  },
  validateStack: (args, reportViolation) => {
    const max = args.getConfig<{ max: number }>().max;
    // A collection not created yet has no action ID: that is what this deployment would start.
    const fresh = args.resources.filter(
      (r) => r.type === COLLECTION_TYPE && typeof r.props.actionId !== "string",
    );
    if (fresh.length > max) {
      reportViolation(
        `This deployment would start ${fresh.length} new collections, more than the ${max} allowed: split the change into smaller pull requests, or raise max-new-collections.max in the policy config if this is intended.`,
      );
    }
  },
};

new PolicyPack("mde-guardrails", {
  policies: [commentCitesTicket, noCancelOnDelete, maxNewCollections],
});
