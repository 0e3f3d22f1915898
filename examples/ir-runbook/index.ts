/** Entry point of the incident-response runbook (`main` of the root Pulumi.yaml, after `npm run build`). */
import { runbook } from "./runbook";

export = runbook();
