#!/usr/bin/env bash
# Side by side with the reference simulator: generates N scenarios with the oracle's own
# generator, runs them through `oracle.mjs --batch` and through iamplay (the release CLI end
# to end, and in process), and prints requests per second and the ratios. Writes
# target/bench-vs-oracle.json. See BENCHMARKS.md.
#
#   scripts/bench-vs-oracle.sh [--count N] [--seed S] [--repeat R] [--oracle DIR]
#
# The oracle lives in ../shared/tools/iam-oracle (ORACLE_DIR or --oracle to change), with
# its `npm ci` already run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

oracle=${ORACLE_DIR:-../shared/tools/iam-oracle}
if [ ! -d "$oracle/node_modules" ]; then
  echo "bench-vs-oracle: no reference simulator with node_modules at $oracle (set ORACLE_DIR)" >&2
  exit 1
fi

echo "bench-vs-oracle: cargo build --release; cargo bench --bench throughput --no-run" >&2
cargo build --release --bin iamplay -q
target_dir=$(cargo metadata --no-deps --format-version 1 \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')
runner=$(cargo bench --bench throughput --no-run --message-format=json 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){if(!l)continue;const m=JSON.parse(l);if(m.reason==="compiler-artifact"&&m.target.name==="throughput"&&m.executable)console.log(m.executable)}})')

exec node scripts/bench-vs-oracle.mjs --iamplay "$target_dir/release/iamplay" --throughput "$runner" --oracle "$oracle" "$@"
