#!/usr/bin/env bash
# Builds ./bin/k6 (the pinned k6 release, via the pinned xk6) from the Go module proxy with this
# machine's Go, with every Go extension the family manifests declare compiled in (tools/extensions.ts
# list; today ext/spacetimedb, JS module k6/x/spacetimedb). No prebuilt binaries are downloaded. Skips
# the build when bin/k6 already matches the pins and was built from the extension sources as they
# are now (bin/.k6-build-stamp). Scripts importing k6/x/... must run with K6_AUTO_EXTENSION_RESOLUTION=false.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=versions.env
source "$here/versions.env"
k6_bin="$root/bin/k6"
xk6_bin="$here/.bin/xk6"
# one "<go module>=<folder>" line per extension, from the family manifests
mapfile -t extensions < <(cd "$root" && node_modules/.bin/tsx tools/extensions.ts list)
# the Go code the extensions share (shared/<name>/: its own module, replaced by its folder)
mapfile -t shared < <(cd "$root" && node_modules/.bin/tsx tools/extensions.ts shared)
stamp_file="$root/bin/.k6-build-stamp"

# What bin/k6 is built from: the pins and a digest of the extension's sources (tests left out: they
# are not in the binary).
ext_digest() {
  for ext in "${extensions[@]}" "${shared[@]}"; do
    echo "$ext"
    (cd "${ext#*=}" && find . \( -name '*.go' ! -name '*_test.go' \) -o -name go.mod -o -name go.sum |
      LC_ALL=C sort | xargs sha256sum)
  done | sha256sum | cut -d' ' -f1
}
stamp="K6_VERSION=${K6_VERSION}
XK6_VERSION=${XK6_VERSION}
EXT_SHA256=$(ext_digest)"

if [[ -x "$k6_bin" ]] && "$k6_bin" version 2>/dev/null | grep -q "^k6 ${K6_VERSION} " &&
  [[ -f "$stamp_file" ]] && [[ "$(cat "$stamp_file")" == "$stamp" ]]; then
  echo "bin/k6 is already k6 ${K6_VERSION} with the extensions (sources unchanged): build skipped"
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
  (cd "$here/tool" && GOFLAGS=-mod=readonly go build -o "$xk6_bin" go.k6.io/xk6) # verified against the committed go.sum
fi

with=()
for ext in "${extensions[@]}"; do with+=(--with "$ext"); done
for mod in "${shared[@]}"; do with+=(--replace "$mod"); done
echo "building k6 ${K6_VERSION} with xk6 ${XK6_VERSION} and ${#extensions[@]} extension(s) (takes 1-3 minutes on 2 cores) ..."
mkdir -p "$root/bin"
tmp_out="$root/bin/.k6.building"
rm -f "$tmp_out"
"$xk6_bin" build "$K6_VERSION" "${with[@]}" -o "$tmp_out" 2>&1 |
  grep -v 'Failed to get latest k6 version' || true
if [[ ! -x "$tmp_out" ]]; then
  echo "error: xk6 did not produce a k6 binary (see the messages above)." >&2
  exit 1
fi
mv -f "$tmp_out" "$k6_bin"
printf '%s\n' "$stamp" >"$stamp_file"
"$k6_bin" version
