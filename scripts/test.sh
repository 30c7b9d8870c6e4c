#!/usr/bin/env bash
# Runs every check and test, in the order CI needs them: formatting, lints (native and wasm32),
# native tests, browser tests of the wasm exports, the release build, and the page tests in real
# Chromium. Installs whatever is missing first. Fails on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native)"
cargo clippy --all-targets -- -D warnings

step "cargo clippy (wasm32)"
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test

step "browser tests of the wasm exports (wasm-bindgen-test, headless Chromium)"
cargo test --target wasm32-unknown-unknown

step "trunk build --release"
trunk build --release

step "page tests (dist/ and trunk serve, in real Chromium)"
node --test --test-concurrency=1 --test-reporter=spec tests/page/
