#!/usr/bin/env bash
# Makes a Pulumi CLI and its Node.js language host available in ONE folder, the one every test,
# `npm start` and the bench use (ENGINE_BIN in the harness's localStack.ts; keep the two in step):
#
#     .engine/<contents of engine/VERSION>/bin/
#         pulumi                          the CLI (built here, or a hard link to / copy of an
#                                         accepted one found on PATH)
#         pulumi-language-nodejs          the language host, needed by folder programs (`pulumi up`
#                                         in a directory with Pulumi.yaml); the Automation API's
#                                         inline programs need only the CLI
#         pulumi-resource-pulumi-nodejs   link to the dynamic-provider launcher in @pulumi/pulumi
#         pulumi-language-yaml            the YAML language host (programs with `runtime: yaml`)
#         pulumi-language-python          the Python language host (`runtime: python`), and
#         pulumi-language-python-exec     the script it runs programs with
#     .engine/<version>/python/           a virtualenv with `pulumi` from PyPI (engine/PYTHON_PULUMI_VERSION)
#                                         and the generated SDK in sdk/python (editable), which the
#                                         Python examples and tests use; python3 >= 3.10 makes it
#
# The YAML and Python hosts are built from ../shared/third_party like the Node.js one (their Go
# modules are not served by the module proxy at versions that build); each is cached in the folder
# and rebuilt only when missing. They are needed by the plugin's programs (examples/gitops-yaml,
# examples/ir-runbook-python) and by `pulumi package gen-sdk --language python`.
#
# This path stays the same whichever CLI ends up in it: the folder is named after the pinned
# version even when it holds a newer `pulumi` from PATH. Callers put it first on PATH.
#
# Order of preference:
#   1. what the folder already holds, if the CLI reports at least engine/MIN_VERSION and the
#      language host answers (warm start: under a second);
#   2. a `pulumi` on PATH that reports at least engine/MIN_VERSION and has its language host
#      beside it or on PATH: both are linked into the folder (nothing is built);
#   3. a build from Go modules (release binaries cannot be downloaded everywhere this runs):
#      the CLI at engine/VERSION through engine/go.mod, and the language host from the copy of
#      its source in ../shared/third_party (its Go module is not served by the module proxy).
#      On 2 cores: about 12 minutes with empty Go caches (CI), under a minute with warm ones (the
#      YAML and Python hosts add about 6 minutes cold, the virtualenv about 1);
#      later runs reuse the folder. The go directive in engine/go.mod (from Pulumi's own) sets
#      the lowest Go that can build it.
#
# The CLI and the @pulumi/pulumi SDK are versioned independently: the SDK is a peer dependency
# with a range, and any CLI >= MIN_VERSION runs it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(tr -d '[:space:]' < "$root/engine/VERSION")
min_version=$(tr -d '[:space:]' < "$root/engine/MIN_VERSION")
bin="$root/.engine/$version/bin"
# Workspaces keep @pulumi/pulumi hoisted to the root node_modules.
launcher="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
# The steering folder sits beside the clone (CI copies it there); only builds need it.
third_party="$(dirname "$root")/shared/third_party"
langhost_src="$third_party/pulumi-language-nodejs"
python_pulumi=$(tr -d '[:space:]' < "$root/engine/PYTHON_PULUMI_VERSION")
venv="$root/.engine/$version/python"

# `pulumi version` must not try to reach the update service (no internet in CI; it would only
# slow the check down).
export PULUMI_SKIP_UPDATE_CHECK=true

say() { echo "ensure-engine: $*"; }
die() { echo "ensure-engine: $*" >&2; exit 1; }

# Fail before any long build if `npm install` has not run: the launcher comes from it.
[ -x "$launcher" ] || die "$launcher missing; run npm install at the repository root first"

# version_at_least A B: A >= B, both dotted versions with an optional leading "v".
version_at_least() {
  local a=${1#v} b=${2#v}
  [ "$(printf '%s\n%s\n' "$b" "$a" | sort -V | head -n 1)" = "$b" ]
}

# Prints the version a CLI reports, or nothing. The Automation API refuses a CLI that reports
# none, which is what a build without the -X stamp below does.
cli_version() { [ -x "$1" ] && "$1" version 2>/dev/null | tail -n 1 | tr -d '[:space:]' || true; }
cli_ok() {
  local v
  v=$(cli_version "$1")
  [ -n "$v" ] && version_at_least "$v" "$min_version"
}
langhost_ok() { [ -x "$1" ] && "$1" -version >/dev/null 2>&1; }
# The YAML host has no -version flag; -help exits 0 from a binary that starts.
yamlhost_ok() { [ -x "$1" ] && "$1" -help >/dev/null 2>&1; }
# The folder is complete; sets $have to its CLI's version (one `pulumi version` on a warm start).
ready() {
  have=$(cli_version "$bin/pulumi")
  [ -n "$have" ] && version_at_least "$have" "$min_version" && langhost_ok "$bin/pulumi-language-nodejs"
}

# A `pulumi` on PATH outside our folder (PATH may already contain $bin when the harness calls us).
find_path_cli() {
  local p
  p=$(command -v pulumi 2>/dev/null) || return 1
  case "$(readlink -f "$p")" in "$root/.engine/"*) return 1 ;; esac
  cli_ok "$p" || return 1
  echo "$p"
}

# Its language host: beside the CLI (as installed, or the link's target), else on PATH.
find_path_langhost() {
  local cli=$1 c
  for c in "$(dirname "$cli")/pulumi-language-nodejs" \
           "$(dirname "$(readlink -f "$cli")")/pulumi-language-nodejs" \
           "$(command -v pulumi-language-nodejs 2>/dev/null || true)"; do
    [ -n "$c" ] || continue
    case "$(readlink -f "$c")" in "$root/.engine/"*) continue ;; esac
    if langhost_ok "$c"; then echo "$c"; return 0; fi
  done
  return 1
}

# Builds write to a temporary name and move into place, so an interrupted build never looks
# like a cached one. The names are per process: two concurrent runs cannot clobber each other.
partial="$bin/.partial.$$"
venv_partial="$venv.partial.$$"
trap 'rm -rf "$partial" "$venv_partial"' EXIT

build_cli() {
  command -v go >/dev/null || die "no pulumi >= $min_version (with pulumi-language-nodejs) on PATH, and no Go toolchain to build v$version"
  say "building pulumi v$version from Go modules (first run only; minutes)..."
  local start=$SECONDS
  mkdir -p "$partial"
  # Official builds use these flags: static binary, no cgo user lookups, no gRPC tracing.
  # The -X stamp is what `pulumi version` reports.
  (cd "$root/engine" && CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$partial/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv -f "$partial/pulumi" "$bin/pulumi"
  say "built pulumi in $(( SECONDS - start ))s"
}

build_langhost() {
  [ -f "$langhost_src/build.sh" ] ||
    die "pulumi-language-nodejs is built from $langhost_src, which is missing: the steering folder 'shared' is expected beside this clone (CI copies it there). Alternatively put a pulumi >= $min_version with its pulumi-language-nodejs on PATH."
  command -v go >/dev/null || die "no Go toolchain to build pulumi-language-nodejs"
  say "building pulumi-language-nodejs from $langhost_src..."
  local start=$SECONDS
  mkdir -p "$partial"
  bash "$langhost_src/build.sh" "$partial" >/dev/null
  mv -f "$partial/pulumi-language-nodejs" "$bin/pulumi-language-nodejs"
  say "built pulumi-language-nodejs in $(( SECONDS - start ))s"
}

# build_host LANG [EXTRA_FILE...]: builds pulumi-language-LANG (and its companions) with the build.sh of
# its copy in ../shared/third_party, into a temporary folder first.
build_host() {
  local lang=$1 src="$third_party/pulumi-language-$1" start=$SECONDS f
  shift
  [ -f "$src/build.sh" ] ||
    die "pulumi-language-$lang is built from $src, which is missing: the steering folder 'shared' is expected beside this clone (CI copies it there)."
  command -v go >/dev/null || die "no Go toolchain to build pulumi-language-$lang"
  say "building pulumi-language-$lang from $src..."
  mkdir -p "$partial"
  bash "$src/build.sh" "$partial" >/dev/null
  # Companions first: the host is what `host_ok` looks at, so it moves last.
  for f in "$@" "pulumi-language-$lang"; do mv -f "$partial/$f" "$bin/$f"; done
  say "built pulumi-language-$lang in $(( SECONDS - start ))s"
}

# A python3 >= 3.10 (what the Python SDK needs), or nothing.
find_python() {
  local p
  for p in python3 python3.13 python3.12 python3.11 python3.10; do
    command -v "$p" >/dev/null 2>&1 || continue
    if "$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      command -v "$p"
      return 0
    fi
  done
  return 1
}

# The virtualenv is complete when its stamp names the pinned `pulumi` and, once the SDK exists, this
# checkout's SDK.
sdk_python="$root/sdk/python"
venv_stamp="pulumi==$python_pulumi"
[ ! -f "$sdk_python/pyproject.toml" ] || venv_stamp="$venv_stamp pulumi_mde=$sdk_python"
venv_ok() { [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.ready" 2>/dev/null)" = "$venv_stamp" ]; }

# `pulumi` from PyPI (with grpcio, a wheel: no compiler needed), then the generated SDK from this
# checkout, editable, so that a regenerated SDK needs no reinstall. Made under a temporary name and
# moved into place (nothing in it records its own path but the unused activation scripts): an
# interrupted run leaves no half-filled environment that looks ready.
make_venv() {
  local python start=$SECONDS
  python=$(find_python) || die "Python programs need python3 >= 3.10 on PATH (found none)"
  say "making the Python virtualenv with pulumi==$python_pulumi ($("$python" --version 2>&1))..."
  rm -rf "$venv_partial"
  "$python" -m venv "$venv_partial"
  "$venv_partial/bin/python" -m pip install --quiet "pulumi==$python_pulumi"
  rm -rf "$venv"
  mv "$venv_partial" "$venv"
  if [ -f "$sdk_python/pyproject.toml" ]; then
    "$venv/bin/python" -m pip install --quiet -e "$sdk_python"
  fi
  echo "$venv_stamp" > "$venv/.ready"
  say "made the virtualenv in $(( SECONDS - start ))s"
}

mkdir -p "$bin"
if ! ready; then
  if cli=$(find_path_cli) && host=$(find_path_langhost "$cli"); then
    # The CLI is hard-linked (copied across file systems), not symlinked: the engine looks for
    # its bundled plugins next to its *resolved* executable, so behind a symlink it would find
    # the launcher linked below only through PATH, with a warning on every run (seen).
    mkdir -p "$partial"
    ln "$(readlink -f "$cli")" "$partial/pulumi" 2>/dev/null || cp "$(readlink -f "$cli")" "$partial/pulumi"
    mv -f "$partial/pulumi" "$bin/pulumi"
    ln -sfn "$host" "$bin/pulumi-language-nodejs"
    say "using pulumi $(cli_version "$cli") from $cli (language host $host)"
  else
    # Build only what is missing: any CLI >= MIN_VERSION works with the language host built here.
    # The language host first: it is the quick one, and it fails at once when ../shared is
    # missing instead of after the CLI's long build.
    langhost_ok "$bin/pulumi-language-nodejs" || build_langhost
    cli_ok "$bin/pulumi" || build_cli
  fi
  ready || die "$bin does not hold a working pulumi >= $min_version and pulumi-language-nodejs"
fi

# The YAML and Python hosts: any CLI >= MIN_VERSION runs them (the Node.js host's rule).
# A CLI taken from PATH usually has these hosts beside it (Pulumi's releases ship them): linked, not built.
beside_path_cli() {
  local dir f
  [ -n "${cli:-}" ] || return 1
  dir=$(dirname "$(readlink -f "$cli")")
  for f in "$@"; do [ -x "$dir/$f" ] || return 1; done
  for f in "$@"; do ln -sfn "$dir/$f" "$bin/$f"; done
  say "using $* from $dir"
}
yamlhost_ok "$bin/pulumi-language-yaml" ||
  { beside_path_cli pulumi-language-yaml && yamlhost_ok "$bin/pulumi-language-yaml"; } ||
  build_host yaml
python_ok() { langhost_ok "$bin/pulumi-language-python" && [ -x "$bin/pulumi-language-python-exec" ]; }
python_ok ||
  { beside_path_cli pulumi-language-python pulumi-language-python-exec && python_ok; } ||
  build_host python pulumi-language-python-exec
venv_ok || make_venv

# The engine looks for the dynamic-provider plugin on PATH or next to its own (resolved) binary;
# tests put $bin first on PATH.
ln -sfn "$launcher" "$bin/pulumi-resource-pulumi-nodejs"
say "pulumi $have and its Node.js, YAML and Python language hosts ready at $bin (Python virtualenv $venv)"
