#!/usr/bin/env bash
# Makes the pinned Pulumi CLI available at .engine/<version>/bin/pulumi, next to the
# dynamic-provider launcher that ships inside @pulumi/pulumi.
#
# Order of preference:
#   1. a `pulumi` on PATH that reports the pinned version (linked, not copied);
#   2. a previous build cached in .engine/<version> (gitignored);
#   3. a build from Go modules through engine/go.mod (release binaries are not
#      downloadable everywhere this project runs).
# The version stamp in -ldflags is what `pulumi version` reports; the Automation
# API refuses a CLI that reports no version.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(tr -d '[:space:]' < "$root/engine/VERSION")
bin="$root/.engine/$version/bin"
launcher="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

sdk_version=$(node -p "require('$root/node_modules/@pulumi/pulumi/package.json').version" 2>/dev/null || echo "?")
if [ "$sdk_version" != "$version" ]; then
  echo "ensure-engine: @pulumi/pulumi is $sdk_version but engine/VERSION pins $version; keep them equal." >&2
  exit 1
fi

reports_version() { [ -x "$1" ] && [ "$("$1" version 2>/dev/null)" = "v$version" ]; }

mkdir -p "$bin"
if ! reports_version "$bin/pulumi"; then
  on_path=$(command -v pulumi || true)
  if [ -n "$on_path" ] && [ "$on_path" != "$bin/pulumi" ] && reports_version "$on_path"; then
    ln -sfn "$on_path" "$bin/pulumi"
    echo "ensure-engine: using pulumi v$version from $on_path"
  else
    command -v go >/dev/null || { echo "ensure-engine: no pulumi v$version on PATH and no Go toolchain to build it" >&2; exit 1; }
    echo "ensure-engine: building pulumi v$version from Go modules (first run only; several minutes)..."
    start=$(date +%s)
    # Official builds use these flags: static binary, no cgo user lookups, no gRPC tracing.
    (cd "$root/engine" && CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
      -o "$bin/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    mv "$bin/pulumi.partial" "$bin/pulumi"
    echo "ensure-engine: built in $(( $(date +%s) - start ))s"
  fi
fi

# The engine looks for the dynamic-provider plugin on PATH or next to its own binary.
[ -x "$launcher" ] || { echo "ensure-engine: $launcher missing; run npm install" >&2; exit 1; }
ln -sfn "$launcher" "$bin/pulumi-resource-pulumi-nodejs"
reports_version "$bin/pulumi" || { echo "ensure-engine: $bin/pulumi does not report v$version" >&2; exit 1; }
echo "ensure-engine: pulumi v$version ready at $bin"
