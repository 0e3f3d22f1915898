/**
 * Engine test harness: every test gets its own local `file://` backend, stack and work directory,
 * and drives the real `pulumi` CLI through the Automation API (see scripts/localStack.ts).
 */
export * from "../../scripts/localStack";
