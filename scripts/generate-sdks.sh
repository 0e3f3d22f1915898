#!/usr/bin/env bash
# Regenerates schema.json (from the TypeScript SDK's TSDoc and the README's settings table) and the
# Python SDK in sdk/python from it, with the pinned CLI and its Python language host
# (scripts/ensure-engine.sh builds both). Run it after changing a resource's inputs, outputs or TSDoc,
# or the package version, and commit both: a unit test fails while either is stale.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(tr -d '[:space:]' < "$root/engine/VERSION")
export PATH="$root/.engine/$version/bin:$root/node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
cd "$root"
tsc -b
node dist/scripts/generateSchema.js
# gen-sdk writes <out>/python; it runs without a stack, in a PULUMI_HOME of its own.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
PULUMI_HOME="$home" pulumi package gen-sdk schema.json --language python --out sdk >/dev/null
echo "wrote $root/sdk/python"
