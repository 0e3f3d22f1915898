/**
 * The private harness of pulumi-mde's tests, benchmark and demo: local stacks on the real engine
 * (`localStack`), emulator-backed stacks and fleets (`emulatorStack`).
 *
 * @packageDocumentation
 */
export * from "./emulatorStack";
export * from "./localStack";
