#!/usr/bin/env bash
# Builds the browser app into dist/: three size-optimised wasm modules with their JS glue,
# the page, and the action catalog.
#   dist/pkg/iamplay_www*            the app (Yew + the core without its YAML reader)
#   dist/yaml/iamplay_yaml_reader*   the YAML reader, loaded after the first render
#   dist/pkg/iamplay_catalog_www*    the catalog module, loaded after the first render
#   dist/catalog.txt                 the action catalog it reads
#   dist/examples/                   the gallery's examples, fetched when it opens
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh

# Wherever cargo puts its output (CARGO_TARGET_DIR, a config file, or ./target).
target_dir=$(cargo metadata --no-deps --format-version 1 \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')

# Size: the standard library is rebuilt with the size profile, and panics abort at once (no
# message formatting, no file and line strings): about 23 KB less gzipped wasm for the app.
# A panic is a bug in any case (the core never panics on input); the page stops either way.
# `-Zfmt-debug=none` empties `{:?}` output, so user-visible text never uses `Debug`.
# These flags are unstable: RUSTC_BOOTSTRAP=1 allows them on the stable toolchain.
# One invocation per package: cargo unifies the core's features within an invocation, and
# the app must be built without the `yaml` feature that the YAML reader turns on.
for package in iamplay-www iamplay-yaml-reader iamplay-catalog-www; do
  echo "build: cargo build --profile wasm-release --target wasm32-unknown-unknown -p $package -Zbuild-std"
  RUSTC_BOOTSTRAP=1 \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
    cargo build --profile wasm-release --target wasm32-unknown-unknown -p "$package" \
      -Zbuild-std=std,panic_abort
done

rm -rf dist
mkdir -p dist/pkg dist/yaml

# The npm binaryen's wasm-opt, never a system one: Debian's is too old for this output.
# `--low-memory-unused` lets it fold addresses: Rust's wasm32 layout puts the stack first
# and data above it, so the low 1 KB of memory is never used. `--converge` repeats the
# passes while they still shrink the module. The two sections stripped are metadata.
opt_flags=(-Oz --low-memory-unused --converge --strip-producers --strip-target-features)

# The app's module, whose size is budgeted, also has its control flow rebuilt: flattened,
# re-structured by the relooper, optimised again, and near-identical functions merged
# (about 1.5 KB less gzipped; a minute more of wasm-opt). Every pass preserves semantics.
app_opt_flags=(--flatten --rereloop -Oz --merge-similar-functions -Oz)

# bindgen_and_opt CRATE_FILE_STEM OUT_DIR [EXTRA_WASM_OPT_FLAGS...]: wasm-bindgen, then wasm-opt.
bindgen_and_opt() {
  local stem=$1 out=$2
  shift 2
  echo "build: wasm-bindgen + wasm-opt ${opt_flags[*]} $*: $out/${stem}_bg.wasm"
  wasm-bindgen --target web --no-typescript --out-dir "$out" "$target_dir/wasm32-unknown-unknown/wasm-release/$stem.wasm"
  node_modules/.bin/wasm-opt "${opt_flags[@]}" "$@" "$out/${stem}_bg.wasm" -o "$out/${stem}_bg.wasm"
}
bindgen_and_opt iamplay_www dist/pkg "${app_opt_flags[@]}"
bindgen_and_opt iamplay_yaml_reader dist/yaml
bindgen_and_opt iamplay_catalog_www dist/pkg

cp index.html www/style.css www/boot.js dist/
# The action catalog is a static file the page fetches after its first render: no wasm
# embeds it.
cp catalog/catalog.txt dist/catalog.txt
# The gallery's examples, fetched when it first opens.
mkdir -p dist/examples
cp examples/*.json dist/examples/

for f in dist/pkg/iamplay_www_bg.wasm dist/yaml/iamplay_yaml_reader_bg.wasm dist/pkg/iamplay_catalog_www_bg.wasm; do
  echo "build: $f: $(wc -c < "$f") bytes raw, $(gzip -9 -c "$f" | wc -c) bytes gzip -9"
done
