/**
 * The entry point of the provider plugin `pulumi-resource-mde` (bin/pulumi-resource-mde runs it on
 * Node.js >= 22.19): settings from `PULUMI_CONFIG`, then the plugin's gRPC server on the address the
 * engine passes.
 */
// First: a Node.js too old for the HTTP client must fail here, with a message, not inside undici.
import "../provider/requireNode";
import { main } from "@pulumi/pulumi/provider";
import { mdeProvider } from "./mdeProvider";
import { configureFromEnvironment } from "./pluginConfig";

configureFromEnvironment();
void main(mdeProvider, process.argv.slice(2));
