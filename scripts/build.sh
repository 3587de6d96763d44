#!/usr/bin/env bash
# Builds the browser app into dist/: the size-optimised wasm, its JS glue, the page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh

# Wherever cargo puts its output (CARGO_TARGET_DIR, a config file, or ./target).
target_dir=$(cargo metadata --no-deps --format-version 1 \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/iamplay_www.wasm"
# The catalog module: loaded by the page after its first render, with catalog.txt.
catalog_wasm="$target_dir/wasm32-unknown-unknown/wasm-release/iamplay_catalog_www.wasm"

echo "build: cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-www -p iamplay-catalog-www"
cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-www -p iamplay-catalog-www

rm -rf dist
mkdir -p dist/pkg

echo "build: wasm-bindgen --target web --no-typescript"
wasm-bindgen --target web --no-typescript --out-dir dist/pkg "$wasm"
wasm-bindgen --target web --no-typescript --out-dir dist/pkg "$catalog_wasm"

# The npm binaryen's wasm-opt, never a system one: Debian's is too old for this output.
# `--low-memory-unused` lets it fold addresses: Rust's wasm32 layout puts the stack first
# and data above it, so the low 1 KB of memory is never used. `--converge` repeats the
# passes while they still shrink the module. The two sections stripped are metadata.
opt_flags=(-Oz --low-memory-unused --converge --strip-producers --strip-target-features)
echo "build: wasm-opt ${opt_flags[*]}"
node_modules/.bin/wasm-opt "${opt_flags[@]}" \
  dist/pkg/iamplay_www_bg.wasm -o dist/pkg/iamplay_www_bg.wasm
node_modules/.bin/wasm-opt "${opt_flags[@]}" \
  dist/pkg/iamplay_catalog_www_bg.wasm -o dist/pkg/iamplay_catalog_www_bg.wasm

cp index.html www/style.css www/boot.js dist/
# The action catalog is a static file the page fetches after its first render: no wasm
# embeds it.
cp catalog/catalog.txt dist/catalog.txt

raw=$(wc -c < dist/pkg/iamplay_www_bg.wasm)
gz=$(gzip -9 -c dist/pkg/iamplay_www_bg.wasm | wc -c)
echo "build: dist/pkg/iamplay_www_bg.wasm: ${raw} bytes raw, ${gz} bytes gzip -9"
echo "build: dist/pkg/iamplay_catalog_www_bg.wasm: $(wc -c < dist/pkg/iamplay_catalog_www_bg.wasm) bytes raw, $(gzip -9 -c dist/pkg/iamplay_catalog_www_bg.wasm | wc -c) bytes gzip -9 (loaded after the first render)"
