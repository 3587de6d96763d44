#!/usr/bin/env bash
# THE test command: native tests, in-browser Rust tests, the build, end-to-end browser tests.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "setup"
./scripts/setup.sh

step "native tests: cargo test --workspace"
cargo test --workspace

step "in-browser tests: cargo test -p iamplay-www --target wasm32-unknown-unknown"
# The runner drives Debian's Chromium through its chromedriver; www/webdriver.json adds the
# flags this closed network needs. A cold page load on 2 busy cores can exceed the 20 s default.
CHROMEDRIVER=/usr/bin/chromedriver \
WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/www/webdriver.json" \
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
  cargo test -p iamplay-www --target wasm32-unknown-unknown

step "build"
./scripts/build.sh

step "size budget: scripts/size-budget.sh"
./scripts/size-budget.sh

step "end-to-end tests: node --test tests/e2e/"
node --test tests/e2e/

step "fuzzing: ${FUZZ_SECONDS:-10}s per target (scripts/fuzz.sh)"
./scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
