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

# 4. The three browser engines the page tests run in, all from Debian: Chromium (+ ChromeDriver for
#    wasm-bindgen-test), Firefox ESR, and WebKitGTK (WebKitWebDriver, which drives its MiniBrowser)
#    with xvfb, the display MiniBrowser needs. One apt run for whatever is missing.
missing_packages=()
[ -x /usr/bin/chromium ] || missing_packages+=(chromium)
[ -x /usr/bin/chromedriver ] || missing_packages+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || missing_packages+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || missing_packages+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || missing_packages+=(xvfb)
if [ ${#missing_packages[@]} -gt 0 ]; then
  say "apt: installing ${missing_packages[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_packages[@]}"
fi

# 4b. geckodriver from crates.io, for wasm-bindgen-test in Firefox (about 3 minutes, once per machine).
GECKODRIVER_VERSION=0.37.1
if [ "$(geckodriver --version 2>/dev/null | head -n 1)" != "geckodriver $GECKODRIVER_VERSION" ]; then
  say "cargo install geckodriver $GECKODRIVER_VERSION"
  cargo +nightly install --locked geckodriver --version "$GECKODRIVER_VERSION"
fi

# 5. Node.js: trunk's build hook writes the sample files with it, and it drives the page tests.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "apt: installing nodejs and npm"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi

# 6. playwright-core (drives that Chromium; it never downloads a browser) and binaryen (its wasm-opt
#    shrinks the release wasm; a Node.js build, so no prebuilt binary is fetched), exactly as locked.
locked_ok=$(node -e '
  const lock = require("./package-lock.json").packages;
  const current = (name) => {
    try { return require(`./node_modules/${name}/package.json`).version === lock[`node_modules/${name}`].version; }
    catch { return false; }
  };
  process.stdout.write(String(["playwright-core", "binaryen"].every(current)));' 2>/dev/null || echo false)
if [ "$locked_ok" != true ]; then
  say "npm ci (playwright-core, binaryen)"
  npm ci --no-audit --no-fund
fi

# 7. Trunk runs wasm-opt from PATH when it reports the version Trunk.toml's [tools] names, and would
#    download one from GitHub otherwise; build-fallback.sh runs it too. A link beside trunk in
#    ~/.cargo/bin puts the npm one on PATH for every `trunk build`, however it is started.
WASM_OPT_VERSION=$(sed -n 's/^wasm_opt = "\(version_[0-9]*\)"/\1/p' Trunk.toml)
[ -n "$WASM_OPT_VERSION" ] || { echo "setup: no wasm_opt version found in Trunk.toml" >&2; exit 1; }
if [ "$(wasm-opt --version 2>/dev/null | sed -n 's/.*(\(version_[0-9]*\)).*/\1/p')" != "$WASM_OPT_VERSION" ]; then
  say "linking ~/.cargo/bin/wasm-opt to binaryen's (npm) $WASM_OPT_VERSION"
  mkdir -p "$HOME/.cargo/bin"
  ln -sf "$(readlink -f node_modules/binaryen/bin/wasm-opt)" "$HOME/.cargo/bin/wasm-opt"
  [ "$(wasm-opt --version 2>/dev/null | sed -n 's/.*(\(version_[0-9]*\)).*/\1/p')" = "$WASM_OPT_VERSION" ] ||
    { echo "setup: the wasm-opt on PATH ($(command -v wasm-opt || echo none)) is not binaryen's $WASM_OPT_VERSION" >&2; exit 1; }
fi
