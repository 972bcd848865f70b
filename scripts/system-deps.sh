#!/usr/bin/env bash
# Make sure the system programs the course needs are present. Each argument names one:
#   graphviz    graphviz's `dot`, for the graph pictures
#   fonts       a CJK font (Debian's fonts-noto-cjk), so that Chinese shows in the browser and in
#               matplotlib's figures; only a note when missing without root (English works)
#   chromium    Debian's Chromium, for the browser tests
#   postgresql  PostgreSQL's server programs (the gradebook tests start a server of their own)
#   bubblewrap  the `bwrap` sandbox that `bpcourse autograde` runs each grading kernel in
# As root on Debian/Ubuntu it installs what is missing with apt-get; elsewhere it says how.
set -euo pipefail

has_cjk_font() {
  if command -v fc-list >/dev/null 2>&1; then
    [ -n "$(fc-list :lang=zh-cn family 2>/dev/null | head -n 1)" ] && return 0
  fi
  compgen -G "/usr/share/fonts/*/noto/NotoSansCJK-*" >/dev/null \
    || compgen -G "/usr/share/fonts/*/noto-cjk/NotoSansCJK-*" >/dev/null
}

present() {  # present NAME: is the program behind dependency NAME installed?
  case "$1" in
    graphviz) command -v dot >/dev/null 2>&1 ;;
    fonts) has_cjk_font ;;
    chromium) [ -x "${BPCOURSE_CHROMIUM:-/usr/bin/chromium}" ] ;;
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null \
                  || command -v pg_ctl >/dev/null 2>&1 ;;
    bubblewrap) [ "$(uname -s)" != Linux ] || command -v bwrap >/dev/null 2>&1 ;;
    *) echo "system-deps.sh: unknown dependency '$1' (expected graphviz, fonts, chromium," \
            "postgresql or bubblewrap)" >&2
       exit 2 ;;
  esac
}

debian_package() {
  case "$1" in fonts) echo fonts-noto-cjk ;; *) echo "$1" ;; esac
}

pkgs=()
for what in "$@"; do
  present "$what" || pkgs+=("$(debian_package "$what")")
done
[ "${#pkgs[@]}" = 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${pkgs[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  exit 0
fi

if [ "${pkgs[*]}" = "fonts-noto-cjk" ]; then
  # Only the font is missing: the English course works without it, so say how and go on.
  echo "No CJK font: Chinese shows as boxes; install one: sudo apt-get install fonts-noto-cjk" \
       "(conda: conda install -c conda-forge font-ttf-noto-cjk; macOS has one)." >&2
  exit 0
fi

cat >&2 <<MSG
bpcourse needs ${pkgs[*]} from your system, and this script can only install it as root on
Debian/Ubuntu. Install it yourself with one of:
    sudo apt-get install ${pkgs[*]}        # Debian, Ubuntu
    conda install -c conda-forge graphviz font-ttf-noto-cjk   # conda (see environment.yml)
    brew install graphviz                   # macOS (Chromium: brew install --cask chromium)
    sudo dnf install bubblewrap             # Fedora (Linux only: macOS grades unsandboxed)
then run the make command again.
MSG
exit 1
