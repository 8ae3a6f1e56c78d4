#!/usr/bin/env bash
# Installs what is missing so a fresh clone can run: npm packages, the pinned k6 (built with xk6 from
# the Go module proxy) and the bundles in dist/. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing npm packages ..."
  npm ci --no-audit --no-fund --loglevel=error
fi
bash xk6-build/build.sh
npm run --silent build
