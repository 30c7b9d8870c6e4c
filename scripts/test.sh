#!/usr/bin/env bash
# Runs every check and test, in the order CI needs them: formatting, lints (native and wasm32),
# native tests, unit tests of the page's pure JavaScript (node), browser tests of the wasm exports
# (Chromium and Firefox), the release build, and the page tests in each browser engine (Chromium,
# Firefox, WebKit). Installs whatever is missing first.
# Fails on the first failing step, except that every engine's page tests run before the verdict.
#
# PLAYGROUND_ENGINES="firefox" (any of chromium firefox webkit, space-separated) runs the page tests in
# those engines only: a quick local run. CI runs all three.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
ENGINES=${PLAYGROUND_ENGINES:-chromium firefox webkit}
for engine in $ENGINES; do
  case $engine in chromium | firefox | webkit) ;; *) echo "PLAYGROUND_ENGINES: unknown engine '$engine' (chromium, firefox, webkit)" >&2; exit 2 ;; esac
done

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native)"
cargo clippy --all-targets -- -D warnings

step "cargo clippy (wasm32)"
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test

step "unit tests of the page's pure JavaScript (node's test runner)"
node --test tests/unit/

# wasm-bindgen-test-runner picks the browser from the driver variable that is set: one at a time.
step "browser tests of the wasm exports (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown

step "browser tests of the wasm exports (wasm-bindgen-test, headless Firefox ESR)"
GECKODRIVER="$HOME/.cargo/bin/geckodriver" cargo test --target wasm32-unknown-unknown

step "trunk build --release"
trunk build --release

mkdir -p target/page-tests
failed_engines=()
for engine in $ENGINES; do
  step "page tests in $engine (dist/ and trunk serve)"
  summary="target/page-tests/$engine.txt"
  rm -f "$summary"
  if ! PLAYGROUND_ENGINE=$engine node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./tests/page/engine-summary.mjs --test-reporter-destination="$summary" \
    tests/page/; then
    failed_engines+=("$engine")
  fi
done

step "page tests: one line per engine"
for engine in $ENGINES; do
  cat "target/page-tests/$engine.txt" 2>/dev/null || echo "engine $engine: no summary (the test runner itself failed)"
done
if [ ${#failed_engines[@]} -gt 0 ]; then
  echo "page tests failed in: ${failed_engines[*]}" >&2
  exit 1
fi
