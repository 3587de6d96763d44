#!/usr/bin/env bash
# Builds, then serves dist/ on http://127.0.0.1:${PORT:-8080}/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/build.sh
exec node scripts/serve.mjs --root dist --port "${PORT:-8080}"
