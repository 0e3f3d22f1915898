/** Entry point of the runbook program (`main` of the root Pulumi.yaml, after `npm run build`). */
import { runbook } from "./runbook";

export = runbook();
