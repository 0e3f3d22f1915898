/**
 * The private harness of pulumi-mde's tests, benchmark and demo: local stacks on the real engine
 * (`localStack`), emulator-backed stacks and fleets (`emulatorStack`), folder programs run with the
 * CLI (`folderProgram`), the library packed or installed into a project of its own (`consumerProject`),
 * and Azurite as blob storage beside the emulator (`azurite`).
 *
 * @packageDocumentation
 */
export * from "./azurite";
export * from "./consumerProject";
export * from "./emulatorStack";
export * from "./folderProgram";
export * from "./localStack";
