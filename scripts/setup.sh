#!/usr/bin/env bash
# Installs whatever this project needs and is missing; quick when everything is there.
# Everything comes from crates.io, Debian, npm or rustup: no prebuilt tool is downloaded from elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.22.1
# The CLI must be exactly the `wasm-bindgen` version Cargo.toml pins (trunk refuses a mismatch).
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup: no exact wasm-bindgen pin found in Cargo.toml" >&2; exit 1; }

say() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Rust: nightly with rust-src (for build-std) and the wasm target. rust-toolchain.toml names them,
#    but RUSTUP_AUTO_INSTALL=0 machines do not install them on demand.
installed=$(rustup component list --toolchain nightly --installed 2>/dev/null || true)
for component in rust-src clippy rustfmt; do
  if ! grep -q "^$component" <<<"$installed"; then
    say "rustup: adding $component to nightly"
    rustup component add "$component" --toolchain nightly
  fi
done
if ! rustup target list --toolchain nightly --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "rustup: adding the wasm32-unknown-unknown target to nightly"
  rustup target add wasm32-unknown-unknown --toolchain nightly
fi

# 2. trunk from crates.io. 0.22.1 needs rustc ≥ 1.96.1, newer than stable here, so nightly builds it.
#    It takes 10–15 minutes on 2 cores, once per machine.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (once per machine: 10–15 minutes on 2 cores)"
  cargo +nightly install --locked trunk --version "$TRUNK_VERSION"
fi

# 3. wasm-bindgen-cli, the same version as the crate. Its published lock file pins a webpki-roots
#    release this machine's registry mirror does not serve; when `--locked` fails for that reason,
#    resolve afresh (the CLI's own semver ranges) instead.
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes)"
  if ! cargo +nightly install --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"; then
    say "the locked install failed; installing wasm-bindgen-cli $WASM_BINDGEN_VERSION with fresh resolution"
    cargo +nightly install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
fi

# 4. Chromium and ChromeDriver from Debian, for the browser tests and benchmarks.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "apt: installing chromium and chromium-driver"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
fi

# 5. Node.js: trunk's build hook writes the sample files with it, and it drives the page tests.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "apt: installing nodejs and npm"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi

# 6. playwright-core (drives that Chromium; it never downloads a browser), exactly as locked.
locked_ok=$(node -e '
  const want = require("./package-lock.json").packages["node_modules/playwright-core"].version;
  let have = null;
  try { have = require("./node_modules/playwright-core/package.json").version; } catch {}
  process.stdout.write(String(have === want));' 2>/dev/null || echo false)
if [ "$locked_ok" != true ]; then
  say "npm ci (playwright-core)"
  npm ci --no-audit --no-fund
fi
