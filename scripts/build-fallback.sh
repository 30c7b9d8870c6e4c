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
# Trunk runs wasm-opt on the threaded build only; this one gets the same level and flags, read from
# index.html's rust link (data-wasm-opt, data-wasm-opt-params), the one place they are written.
rust_link=$(grep 'data-trunk rel="rust"' index.html)
opt_level=$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' <<<"$rust_link")
opt_params=$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' <<<"$rust_link")
if [ -n "$opt_level" ] && [ "$opt_level" != 0 ]; then
  # The very wasm-opt trunk accepted: the version Trunk.toml's [tools] names (scripts/setup.sh links it).
  want=$(sed -n 's/^wasm_opt = "\(version_[0-9]*\)"/\1/p' Trunk.toml)
  have=$(wasm-opt --version 2>/dev/null | sed -n 's/.*(\(version_[0-9]*\)).*/\1/p' || true)
  [ "$have" = "$want" ] ||
    { echo "build-fallback: wasm-opt $want is needed (found: ${have:-none}); run scripts/setup.sh" >&2; exit 1; }
  # shellcheck disable=SC2086 # the params are separate flags, split on spaces as trunk splits them
  wasm-opt "-O$opt_level" $opt_params "$out/playground_bg.wasm" -o "$out/playground_bg.wasm"
fi
echo "build-fallback: $out/playground_bg.wasm"
