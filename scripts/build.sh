#!/usr/bin/env bash
# Builds the browser app into dist/: the size-optimised wasm, its JS glue, the page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh

# Wherever cargo puts its output (CARGO_TARGET_DIR, a config file, or ./target).
target_dir=$(cargo metadata --no-deps --format-version 1 \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/iamplay_www.wasm"

echo "build: cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-www"
cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-www

rm -rf dist
mkdir -p dist/pkg

echo "build: wasm-bindgen --target web --no-typescript"
wasm-bindgen --target web --no-typescript --out-dir dist/pkg "$wasm"

# The npm binaryen's wasm-opt, never a system one: Debian's is too old for this output.
echo "build: wasm-opt -Oz"
node_modules/.bin/wasm-opt -Oz --converge \
  dist/pkg/iamplay_www_bg.wasm -o dist/pkg/iamplay_www_bg.wasm

cp index.html www/style.css www/boot.js dist/

raw=$(wc -c < dist/pkg/iamplay_www_bg.wasm)
gz=$(gzip -9 -c dist/pkg/iamplay_www_bg.wasm | wc -c)
echo "build: dist/pkg/iamplay_www_bg.wasm: ${raw} bytes raw, ${gz} bytes gzip -9"
