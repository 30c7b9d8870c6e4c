#!/usr/bin/env bash
# The fallback build: the same crate without the `threads` feature and without shared memory, for
# pages that cannot be cross-origin isolated (an iframe on a tutorial site, a host without headers
# and without service workers). The page picks it at load, before any shared-memory wasm loads.
# Trunk runs this as a post_build hook (TRUNK_STAGING_DIR); by hand: scripts/build-fallback.sh <dir>.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TRUNK_STAGING_DIR:-${1:?usage: scripts/build-fallback.sh <output dir>}}/fallback"
# RUSTFLAGS replaces the wasm32 flags of .cargo/config.toml (atomics, shared and imported memory):
# this build's memory is an ordinary one, which any page may create. Its own target directory keeps
# the two builds from invalidating each other.
RUSTFLAGS=" " cargo build --quiet --release --lib --target wasm32-unknown-unknown \
  --no-default-features --target-dir target/fallback
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name playground \
  target/fallback/wasm32-unknown-unknown/release/playground.wasm
echo "build-fallback: $out/playground_bg.wasm"
