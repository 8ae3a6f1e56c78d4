#!/usr/bin/env bash
# Builds ./bin/k6 (the pinned k6 release, via the pinned xk6) from the Go module proxy with this
# machine's Go. No prebuilt binaries are downloaded. Skips the build when bin/k6 already matches the pin.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=versions.env
source "$here/versions.env"
k6_bin="$root/bin/k6"
xk6_bin="$here/.bin/xk6"

if [[ -x "$k6_bin" ]] && "$k6_bin" version 2>/dev/null | grep -q "^k6 ${K6_VERSION} "; then
  echo "bin/k6 is already k6 ${K6_VERSION}: build skipped"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: Go is not installed, and it is needed to build k6 ${K6_VERSION} with xk6." >&2
  echo "  Install Go 1.26 or newer (Debian: apt-get install golang-go if new enough, or the tarball from go.dev/dl)," >&2
  echo "  make sure 'go' is on PATH, then run: npm run k6:build" >&2
  exit 1
fi

# The checksum database (sum.golang.org) is not reachable from every network this runs on; xk6 is
# verified against the committed tool/go.sum, and k6 comes over TLS from the configured GOPROXY.
export GOSUMDB="${GOSUMDB:-off}"
export GOFLAGS="${GOFLAGS:-} -mod=mod"

if ! { [[ -x "$xk6_bin" ]] && "$xk6_bin" version 2>/dev/null | grep -q "${XK6_VERSION#v}"; }; then
  echo "building xk6 ${XK6_VERSION} (Go module proxy) ..."
  (cd "$here/tool" && go build -o "$xk6_bin" go.k6.io/xk6)
fi

echo "building k6 ${K6_VERSION} with xk6 ${XK6_VERSION} (takes 1-3 minutes on 2 cores) ..."
mkdir -p "$root/bin"
tmp_out="$root/bin/.k6.building"
"$xk6_bin" build "$K6_VERSION" -o "$tmp_out" 2>&1 | grep -v 'Failed to get latest k6 version' || true
if [[ ! -x "$tmp_out" ]]; then
  echo "error: xk6 did not produce a k6 binary (see the messages above)." >&2
  exit 1
fi
mv -f "$tmp_out" "$k6_bin"
"$k6_bin" version
