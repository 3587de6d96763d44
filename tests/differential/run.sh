#!/usr/bin/env bash
# Differential test of iamplay against the reference simulator (shared/tools/iam-oracle).
#
#   tests/differential/run.sh [-n N] [-s SEED] [--catalog] [--oracle-gen] [--corpus] [--jobs J] [--out DIR]
#   tests/differential/run.sh --files [PATH...] [--catalog] [--jobs J] [--out DIR]
#   tests/differential/run.sh --keys [--jobs J] [--out DIR]
#
#   -n N        scenarios to generate (default 10000, 1000 with --oracle-gen, or $DIFF_N)
#   -s SEED     generator seed (default 1, or $DIFF_SEED)
#   --catalog   evaluate with iamplay's action catalog, as `iamplay eval` does by default
#               (context keys an action never carries are left out); without it iamplay
#               runs with `--no-catalog`
#   --oracle-gen  take the scenarios from the oracle's own generator (its gen.mjs, S3
#               requests; default N 1000) instead of generate.mjs
#   --corpus    also rewrite tests/differential/corpus.jsonl (corpus-catalog.jsonl with
#               --catalog; 300 scenarios with the oracle's decision); use with the default
#               N and seed so it stays the same
#   --files     compare on the hand-written scenario files instead of generated ones:
#               every request of every flat v1 file under PATH... (default tests/scenarios
#               and tests/ecs); files with the ECS extensions are skipped and counted
#   --keys      compare key availability instead: for every generator action and context
#               key, whether the oracle drops the key and whether iamplay (with its
#               catalog) leaves it out; writes keys.json (default target/differential-keys)
#   --jobs J    iamplay processes run in parallel (default 2)
#   --out DIR   output directory (default target/differential, then -oracle-gen and
#               -catalog appended for those modes; target/differential-files with --files)
#
# Builds iamplay (release), generates the scenarios (or translates the files), runs the
# oracle (batch mode) and iamplay (`eval --format json`, hundreds of files per process),
# compares the decisions, and prints: agree / compared, justified deviations by class,
# unexplained ones (suspected iamplay bugs, open questions, unknown). Writes
# DIR/disagreements.jsonl (both scenarios and both answers) and DIR/summary.json.
# Exit status: 0 when every disagreement is in a known class, 1 when some are unknown.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

n="${DIFF_N:-}"
seed="${DIFF_SEED:-1}"
jobs=2
corpus=""
out=""
files=""
catalog=""
oraclegen=""
keys=""
paths=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--n) n="$2"; shift 2 ;;
    -s|--seed) seed="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --corpus) corpus=1; shift ;;
    --catalog) catalog=1; shift ;;
    --oracle-gen) oraclegen=1; shift ;;
    --keys) keys=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --files) files=1; shift ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    *)
      if [ -z "$files" ]; then echo "run.sh: a path is taken only after --files ($1)" >&2; exit 2; fi
      paths+=("$1"); shift ;;
  esac
done

oracle="${IAM_ORACLE:-/work/shared/tools/iam-oracle/oracle.mjs}"
if [ ! -f "$oracle" ]; then
  echo "run.sh: oracle not found at $oracle (set IAM_ORACLE)" >&2
  exit 2
fi
if [ ! -d "$(dirname "$oracle")/node_modules/@cloud-copilot/iam-simulate" ]; then
  echo "run.sh: run \`npm ci\` in $(dirname "$oracle") first" >&2
  exit 2
fi
export IAM_ORACLE="$oracle"

echo "== build: cargo build --release" >&2
cargo build --release --quiet --bin iamplay

suffix="${oraclegen:+-oracle-gen}${catalog:+-catalog}"
if [ -n "$keys" ]; then
  out="${out:-target/differential-keys}"
  mkdir -p "$out"
  echo "== key availability: the oracle's dropped keys against iamplay's catalog" >&2
  exec node tests/differential/keys.mjs --dir "$out" --iamplay target/release/iamplay --oracle "$oracle" --jobs "$jobs"
fi
if [ -n "$files" ]; then
  out="${out:-target/differential-files${catalog:+-catalog}}"
  mkdir -p "$out"
  echo "== compare on the scenario files: ${paths[*]:-tests/scenarios tests/ecs}${catalog:+ (with the action catalog)}" >&2
  exec node tests/differential/files.mjs --dir "$out" --iamplay target/release/iamplay --oracle "$oracle" --jobs "$jobs" ${catalog:+--catalog} "${paths[@]}"
fi

out="${out:-target/differential$suffix}"
mkdir -p "$out"

if [ -n "$oraclegen" ]; then
  n="${n:-1000}"
  echo "== the oracle's gen.mjs: $n scenarios, seed $seed" >&2
  node tests/differential/oracle-gen.mjs --oracle "$oracle" --n "$n" --seed "$seed" --out "$out"
else
  n="${n:-10000}"
  echo "== generate: $n scenarios, seed $seed" >&2
  node tests/differential/generate.mjs --n "$n" --seed "$seed" --out "$out"
fi

echo "== compare${catalog:+ (with the action catalog)}" >&2
args=(--dir "$out" --iamplay target/release/iamplay --oracle "$oracle" --jobs "$jobs")
if [ -n "$catalog" ]; then args+=(--catalog); fi
if [ -n "$corpus" ]; then
  if [ -n "$oraclegen" ]; then echo "run.sh: --corpus is for generate.mjs's scenarios, not --oracle-gen" >&2; exit 2; fi
  args+=(--corpus "tests/differential/corpus${catalog:+-catalog}.jsonl")
fi
node tests/differential/compare.mjs "${args[@]}"
