#!/usr/bin/env bash
# Installs the Debian packages the end-to-end tests start on 127.0.0.1 (real PostgreSQL for history,
# real InfluxDB 1.x for the Grafana output, Chromium to render the HTML report), when missing.
set -euo pipefail
need=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if (( ${#need[@]} == 0 )); then
  echo "system packages present: postgresql, influxdb, chromium"
  exit 0
fi
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
