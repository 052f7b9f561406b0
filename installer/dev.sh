#!/usr/bin/env bash
# Set up a development machine (Debian/Ubuntu) and run PovDesk or its tests.
#   bash installer/dev.sh run [ARGS…]   set everything up, then open the application (embedded SQLite database)
#   bash installer/dev.sh test [ARGS…]  set everything up, then run the whole test suite (SQLite and PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libnss3
  fonts-wqy-microhei poppler-utils postgresql xvfb
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

setup() {
  if command -v apt-get >/dev/null; then
    missing=()
    for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "Installing system packages: ${missing[*]}"
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
}

cmd="${1:-}"
shift || true
case "$cmd" in
  run)
    setup
    exec .venv/bin/python main.py "$@"
    ;;
  test)
    setup
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash installer/dev.sh run|test [ARGS…]" >&2
    exit 2
    ;;
esac
