#!/usr/bin/env bash
# The benchmark: builds the release site, then measures native, wasm-in-Chromium and the seed's
# Python side by side and prints a markdown table (medians; ratios from the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release >/dev/null
exec node bench/run.mjs "$@"
