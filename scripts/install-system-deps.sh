#!/usr/bin/env bash
# Installs the Debian packages the tests use, when they are missing (needs root and apt-get).
set -euo pipefail
packages=()
command -v redis-server >/dev/null || packages+=(redis-server)
command -v docker-compose >/dev/null || packages+=(docker-compose)
command -v chromium >/dev/null || packages+=(chromium)
[ -d /usr/share/fonts/truetype/wqy ] || packages+=(fonts-wqy-zenhei)  # Chinese text in the browser tests' screenshots
command -v kamailio >/dev/null || packages+=(kamailio kamailio-websocket-modules kamailio-tls-modules)
if [ ${#packages[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing system packages: ${packages[*]} — install them with your package manager" >&2
  exit 1
fi
echo "installing: ${packages[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
