#!/usr/bin/env bash
# Make sure the system programs elearn needs are installed.
#   scripts/system-deps.sh        ffmpeg/ffprobe and a Chinese font (to run the app)
#   scripts/system-deps.sh test   also Chromium (to run the tests)
# The font is Noto Sans CJK (fonts-noto-cjk): the demo covers and video titles are drawn with its
# Simplified Chinese face, and certificates (PDF) embed it; pages need it to render Chinese in tests.
# On Debian/Ubuntu as root, missing packages are installed with apt; otherwise we say what to install.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
# no grep -q: it would close the pipe early, and pipefail would count that as "missing"
fc-list 2>/dev/null | grep -i "Noto Sans CJK SC" >/dev/null || missing+=(fonts-noto-cjk)
if [ "${1:-}" = "test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [ "${2:-}" = "postgresql" ] || [ "${1:-}" = "postgresql" ]; then
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
  exit 0
fi
echo "elearn needs these system packages: ${missing[*]}" >&2
echo "Install them with your package manager, for example: sudo apt-get install ${missing[*]}" >&2
exit 1
