#!/usr/bin/env bash
# Serves the playground on http://127.0.0.1:8080 with the cross-origin isolation headers (Trunk.toml),
# rebuilding on every change. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec trunk serve "$@"
