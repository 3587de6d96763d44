#!/usr/bin/env bash
# Builds the browser app into dist/: the size-optimised wasm, its JS glue, the page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh

# Wherever cargo puts its output (CARGO_TARGET_DIR, a config file, or ./target).
target_dir=$(cargo metadata --no-deps --format-version 1 \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/iamplay_www.wasm"

# Size: the standard library is rebuilt with the app's size profile, and panics abort at
# once (no message formatting, no file and line strings): about 23 KB less gzipped wasm.
# A panic is a bug in any case (the core never panics on input); the page stops either way.
# `-Zfmt-debug=none` empties `{:?}` output, so user-visible text never uses `Debug`.
# These flags are unstable: RUSTC_BOOTSTRAP=1 allows them on the stable toolchain.
echo "build: cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-www -Zbuild-std"
RUSTC_BOOTSTRAP=1 \
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-www \
    -Zbuild-std=std,panic_abort

# The YAML reader, a second module the page loads on demand (www/src/yaml_bridge.rs).
yaml_wasm="$target_dir/wasm32-unknown-unknown/wasm-release/iamplay_yaml_reader.wasm"
echo "build: the same for -p iamplay-yaml-reader"
RUSTC_BOOTSTRAP=1 \
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  cargo build --profile wasm-release --target wasm32-unknown-unknown -p iamplay-yaml-reader \
    -Zbuild-std=std,panic_abort

rm -rf dist
mkdir -p dist/pkg dist/yaml

echo "build: wasm-bindgen --target web --no-typescript"
wasm-bindgen --target web --no-typescript --out-dir dist/pkg "$wasm"

# The npm binaryen's wasm-opt, never a system one: Debian's is too old for this output.
echo "build: wasm-opt -Oz"
node_modules/.bin/wasm-opt -Oz --converge \
  dist/pkg/iamplay_www_bg.wasm -o dist/pkg/iamplay_www_bg.wasm

echo "build: wasm-bindgen and wasm-opt -Oz for the YAML reader"
wasm-bindgen --target web --no-typescript --out-dir dist/yaml "$yaml_wasm"
node_modules/.bin/wasm-opt -Oz \
  dist/yaml/iamplay_yaml_reader_bg.wasm -o dist/yaml/iamplay_yaml_reader_bg.wasm

cp index.html www/style.css www/boot.js dist/

raw=$(wc -c < dist/pkg/iamplay_www_bg.wasm)
gz=$(gzip -9 -c dist/pkg/iamplay_www_bg.wasm | wc -c)
echo "build: dist/pkg/iamplay_www_bg.wasm: ${raw} bytes raw, ${gz} bytes gzip -9"
yaml_raw=$(wc -c < dist/yaml/iamplay_yaml_reader_bg.wasm)
yaml_gz=$(gzip -9 -c dist/yaml/iamplay_yaml_reader_bg.wasm | wc -c)
echo "build: dist/yaml/iamplay_yaml_reader_bg.wasm (loaded on demand): ${yaml_raw} bytes raw, ${yaml_gz} bytes gzip -9"
