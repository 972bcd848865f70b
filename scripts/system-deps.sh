#!/usr/bin/env bash
# Make sure the system programs the course needs are present: graphviz's `dot` (for the graph
# pictures), with `fonts` a CJK font (Debian's fonts-noto-cjk, so that Chinese shows in the
# browser and in matplotlib's figures) and, with `chromium`, Debian's Chromium (browser tests).
# As root on Debian/Ubuntu it installs what is missing with apt-get; elsewhere it says how.
set -euo pipefail

has_cjk_font() {
  if command -v fc-list >/dev/null 2>&1; then
    [ -n "$(fc-list :lang=zh-cn family 2>/dev/null | head -n 1)" ] && return 0
  fi
  compgen -G "/usr/share/fonts/*/noto/NotoSansCJK-*" >/dev/null \
    || compgen -G "/usr/share/fonts/*/noto-cjk/NotoSansCJK-*" >/dev/null
}

need_dot=0; need_chromium=0; need_fonts=0
for what in "$@"; do
  case "$what" in
    graphviz) command -v dot >/dev/null 2>&1 || need_dot=1 ;;
    chromium) [ -x "${BPCOURSE_CHROMIUM:-/usr/bin/chromium}" ] || need_chromium=1 ;;
    fonts) has_cjk_font || need_fonts=1 ;;
    *) echo "system-deps.sh: unknown dependency '$what' (expected graphviz, fonts or chromium)" >&2
       exit 2 ;;
  esac
done
[ "$need_dot$need_chromium$need_fonts" = "000" ] && exit 0

pkgs=()
[ "$need_dot" = 1 ] && pkgs+=(graphviz)
[ "$need_chromium" = 1 ] && pkgs+=(chromium)
[ "$need_fonts" = 1 ] && pkgs+=(fonts-noto-cjk)

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
then run the make command again.
MSG
exit 1
