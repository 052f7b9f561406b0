#!/usr/bin/env bash
# Set up a development machine (Debian/Ubuntu) and run PovDesk or its tests.
#   bash installer/dev.sh run [ARGS…]   set everything up, then open the application (embedded SQLite database)
#   bash installer/dev.sh test [ARGS…]  set everything up, then run the whole test suite (SQLite and PostgreSQL)
# Python packages are installed again only when pyproject.toml (or the Python version) changed: see STAMP.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libnss3
  fonts-wqy-microhei poppler-utils postgresql xvfb
)
APT_LOCK_WAIT=300  # seconds to wait for another apt-get or the automatic updates to release the dpkg lock
STAMP=.venv/.povdesk-requirements  # the hash of what pip installed last

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_get() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" "$@"
}

requirements_hash() {
  { cat pyproject.toml; .venv/bin/python -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

setup() {
  if command -v apt-get >/dev/null; then
    missing=()
    for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "Installing system packages: ${missing[*]}"
      apt_get update -qq
      apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$(requirements_hash)" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[test]'
    requirements_hash >"$STAMP"
  fi
}

# True when the arguments open the window: nothing but --db URL (a command, --help or --version needs no display).
opens_window() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --db) shift 2 || return 0 ;;
      --db=*) shift ;;
      *) return 1 ;;
    esac
  done
  return 0
}

has_display() {
  [ "$(uname -s)" != Linux ] || [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]
}

cmd="${1:-}"
shift || true
case "$cmd" in
  run)
    if opens_window "$@" && ! has_display; then
      echo "没有图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY），无法打开 PovDesk 的窗口。" >&2
      echo "请在桌面环境的终端中运行；在远程终端中可以用 xvfb-run 或 QT_QPA_PLATFORM=offscreen 试运行，" >&2
      echo "或使用命令行：bash installer/dev.sh run --help" >&2
      exit 1
    fi
    setup
    exec .venv/bin/python main.py "$@"
    ;;
  test)
    setup
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "用法：bash installer/dev.sh run|test [参数…]" >&2
    exit 2
    ;;
esac
