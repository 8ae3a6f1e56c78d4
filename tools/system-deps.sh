#!/usr/bin/env bash
# Installs the servers the end-to-end tests start on 127.0.0.1, when missing: an S3 server (versitygw,
# Apache-2.0, built from the Go module proxy into bin/) for the ingestion family's parquet output, the
# checker of the files `k6-suite generate` writes (bin/deploy-check, from tools/deploy-check), the
# Debian packages (real PostgreSQL for history, real InfluxDB 1.x for the Grafana output, Chromium
# to render the HTML report, clang and lld for the SpacetimeDB module), and a real SpacetimeDB server
# with the benchmark module (tools/spacetimedb-server/build.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERSITYGW_VERSION=v1.8.0
if [[ "$(cat bin/.versitygw-version 2>/dev/null)" != "$VERSITYGW_VERSION" ]] || [[ ! -x bin/versitygw ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "error: Go is needed to build the S3 server the tests use (versitygw); install Go 1.26 or newer and run again" >&2
    exit 1
  fi
  echo "building versitygw ${VERSITYGW_VERSION} (S3 server for the tests; Go module proxy, 2-4 minutes on 2 cores) ..."
  mkdir -p bin
  GOSUMDB="${GOSUMDB:-off}" GOBIN="$PWD/bin" go install "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}"
  echo "$VERSITYGW_VERSION" >bin/.versitygw-version
fi
# the checker of the generated Compose/Kubernetes files (tools/deploy-check: compose-go, k8s.io/api, the
# TestRun CRD's schema), rebuilt when its sources change
DEPLOY_CHECK_DIGEST="$(cat tools/deploy-check/go.mod tools/deploy-check/go.sum tools/deploy-check/*.go | sha256sum | cut -d' ' -f1)"
if [[ "$(cat bin/.deploy-check-stamp 2>/dev/null)" != "$DEPLOY_CHECK_DIGEST" ]] || [[ ! -x bin/deploy-check ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "error: Go is needed to build the checker of the generated deployment files (tools/deploy-check); install Go 1.26 or newer and run again" >&2
    exit 1
  fi
  echo "building bin/deploy-check (Go module proxy; about 2 minutes on 2 cores the first time) ..."
  mkdir -p bin
  (cd tools/deploy-check && GOSUMDB="${GOSUMDB:-off}" GOFLAGS=-mod=mod go build -o ../../bin/deploy-check .)
  echo "$DEPLOY_CHECK_DIGEST" >bin/.deploy-check-stamp
fi
need=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# the compiler of the SpacetimeDB benchmark module (wasm32: clang and lld's wasm-ld)
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v wasm-ld >/dev/null 2>&1 || need+=(lld)
if (( ${#need[@]} == 0 )); then
  echo "system packages present: postgresql, influxdb, chromium, clang, lld"
else
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: the tests need the Debian packages ${need[*]}; install them (sudo apt-get install -y ${need[*]}) and run again" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # the packages' own services are not used: tests start their own servers on 127.0.0.1 with free ports
  for service in influxdb postgresql; do
    (command -v service >/dev/null && service "$service" stop >/dev/null 2>&1) || true
  done
fi
# the real SpacetimeDB server (cached per machine) and the benchmark module it hosts
bash tools/spacetimedb-server/build.sh
