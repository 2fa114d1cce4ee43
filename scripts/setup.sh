#!/usr/bin/env bash
# One entry point for a fresh Debian 12 host:
#   scripts/setup.sh serve [--core]   install, build, start the service on its defaults
#   scripts/setup.sh test  [--core]   install, build, run every test
#   scripts/setup.sh build [--core]   install and build only
# --core installs only the core language toolchains (small hosts).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
shift || true
core=0
for arg in "$@"; do
  case "$arg" in
    --core) core=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
case "$mode" in serve|test|build) ;; *)
  echo "usage: scripts/setup.sh serve|test|build [--core]" >&2; exit 2 ;;
esac

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

install_packages() {
  local pkgs
  pkgs=$(grep -hv '^\s*#' "$here/scripts/packages-build.txt" | xargs)
  if [ "$core" = 0 ] && [ -f "$here/scripts/packages-languages.txt" ]; then
    pkgs="$pkgs $(grep -hv '^\s*#' "$here/scripts/packages-languages.txt" | xargs)"
  elif [ -f "$here/scripts/packages-languages-core.txt" ]; then
    pkgs="$pkgs $(grep -hv '^\s*#' "$here/scripts/packages-languages-core.txt" | xargs)"
  fi
  # Skip apt entirely when everything is present: re-runs stay fast and offline.
  local missing=()
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${#missing[@]} Debian packages" >&2
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
      install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

build() {
  local jobs
  jobs=$(nproc)
  cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DRINGFENCE_WERROR="${RINGFENCE_WERROR:-OFF}" >/dev/null
  cmake --build "$here/build" -j "$jobs"
}

install_packages
build

case "$mode" in
  build) ;;
  serve) exec "$here/scripts/serve.sh" ;;
  test) exec "$here/scripts/test.sh" ;;
esac
