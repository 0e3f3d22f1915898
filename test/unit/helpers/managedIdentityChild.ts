/**
 * Child process of the managed identity test: gets a device with a managed identity token and prints its id.
 * Arguments: API endpoint, CA file, device id. Environment: the emulator's managed identity variables.
 */
import { getDefenderClient } from "../../../src/client/sharedClients";
import { resolveSettings } from "../../../src/settings/resolveSettings";

async function main(): Promise<void> {
  const [apiEndpoint, caFile, machineId] = process.argv.slice(2);
  const settings = resolveSettings(
    { "mde:useManagedIdentity": "true", "mde:apiEndpoint": apiEndpoint, "mde:caCertPath": caFile },
    {},
  );
  const machine = await getDefenderClient(settings).getMachine(machineId ?? "");
  process.stdout.write(`${machine?.id ?? "none"}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? `${(error as { code?: string }).code}: ${error.message}` : String(error)}\n`,
  );
  process.exit(1);
});
