#!/usr/bin/env bash
# The size budget of the browser app: dist/pkg/iamplay_www_bg.wasm, without the action
# catalog, at most 300 KB (300,000 bytes) after `gzip -9`. Exits 1 above it, so that
# scripts/test.sh fails on a regression. Catalog files in dist/ (any name containing
# "catalog") are reported separately and not counted: the page fetches them on demand.
# Run after scripts/build.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The YAML reader is a second module that the page loads after its first render
# (www/src/yaml_bridge.rs): it is reported here, not counted.
budget=${WASM_GZIP_BUDGET_BYTES:-300000}
wasm=dist/pkg/iamplay_www_bg.wasm
if [ ! -f "$wasm" ]; then
  echo "size: $wasm is missing: run scripts/build.sh first" >&2
  exit 1
fi

raw=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
js=$(gzip -9 -c dist/pkg/iamplay_www.js | wc -c)
echo "size: app wasm $wasm: $raw bytes raw, $gz bytes gzip -9 (budget $budget, $((budget - gz)) to spare)"
echo "size: JS glue dist/pkg/iamplay_www.js: $js bytes gzip -9"

yaml=dist/yaml/iamplay_yaml_reader_bg.wasm
if [ -f "$yaml" ]; then
  echo "size: YAML reader $yaml (a second module, loaded after first render): $(wc -c < "$yaml") bytes raw, $(gzip -9 -c "$yaml" | wc -c) bytes gzip -9 (not budgeted)"
fi

catalogs=$(find dist -type f -iname '*catalog*' | sort)
if [ -z "$catalogs" ]; then
  echo "size: catalog: none in dist/ yet (not measured)"
else
  for f in $catalogs; do
    echo "size: catalog $f: $(wc -c < "$f") bytes raw, $(gzip -9 -c "$f" | wc -c) bytes gzip -9 (not budgeted)"
  done
fi

if [ "$gz" -gt "$budget" ]; then
  echo "size: FAIL: the app's wasm is $gz bytes gzip -9, over the budget of $budget" >&2
  exit 1
fi
