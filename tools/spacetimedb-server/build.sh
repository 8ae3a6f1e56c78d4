#!/usr/bin/env bash
# The real SpacetimeDB server the end-to-end tests run, and the benchmark module it hosts:
# - spacetimedb-standalone 1.2.0 (crates.io; the newest release that builds offline: 1.3.0's core needs
#   the v8 crate, whose build downloads a prebuilt library), `cargo install --locked` into a cache shared
#   by every clone on the machine (about 10 minutes on 2 cores the first time; later runs reuse it);
# - the module: module.c (freestanding C for the wasm host, ABI spacetime_10.0) compiled by Debian's
#   clang + lld, with its definition (RawModuleDef::V9, BSATN) produced natively by ./describe
#   (spacetimedb-lib 1.2.0). Rebuilt when its sources change.
# Writes bin/spacetimedb-server (a link to the cached server) and bin/spacetimedb-benchmark.wasm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

VERSION=1.2.0
CACHE="${K6_SUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k6-regression-suite}"
SERVER_ROOT="$CACHE/spacetimedb-standalone-$VERSION"
SERVER="$SERVER_ROOT/bin/spacetimedb-standalone"
HERE=tools/spacetimedb-server

if [[ ! -x "$SERVER" ]]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo (Rust) is needed to build the SpacetimeDB server the tests run; install Rust (rustup) and run again" >&2
    exit 1
  fi
  echo "building spacetimedb-standalone $VERSION into $SERVER_ROOT (crates.io; about 10 minutes on 2 cores, once per machine) ..."
  mkdir -p "$CACHE"
  CARGO_TARGET_DIR="$CACHE/spacetimedb-build" cargo install spacetimedb-standalone --version "$VERSION" --locked --root "$SERVER_ROOT" --quiet
  rm -rf "$CACHE/spacetimedb-build" # 1.5 GB of intermediate files
fi
mkdir -p bin
ln -sf "$SERVER" bin/spacetimedb-server

DIGEST="$(cat "$HERE/module.c" "$HERE/describe/Cargo.toml" "$HERE/describe/Cargo.lock" "$HERE/describe/src/main.rs" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat bin/.spacetimedb-module-stamp 2>/dev/null)" != "$DIGEST" ]] || [[ ! -f bin/spacetimedb-benchmark.wasm ]]; then
  for tool in clang wasm-ld; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "error: $tool is needed to compile the SpacetimeDB benchmark module (Debian: apt-get install clang lld)" >&2
      exit 1
    fi
  done
  echo "building the SpacetimeDB benchmark module (bin/spacetimedb-benchmark.wasm) ..."
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  CARGO_TARGET_DIR="$CACHE/describe-target" cargo run --quiet --locked --release --manifest-path "$HERE/describe/Cargo.toml" >"$work/module_def.h"
  clang --target=wasm32 -O2 -nostdlib -ffreestanding -Wall -Werror -I "$work" -Wl,--no-entry -Wl,--strip-all \
    -o bin/spacetimedb-benchmark.wasm "$HERE/module.c"
  echo "$DIGEST" >bin/.spacetimedb-module-stamp
fi
