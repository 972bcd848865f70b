#!/usr/bin/env bash
# Make sure the system programs the course needs are present: graphviz's `dot` (for the graph
# pictures), with `bubblewrap` the `bwrap` sandbox that `bpcourse autograde` runs each grading
# kernel in, with `chromium` Debian's Chromium (for the browser tests), with `postgresql`
# PostgreSQL's server programs (the gradebook tests start a server of their own with them).
# As root on Debian/Ubuntu it installs what is missing with apt-get; elsewhere it says how.
set -euo pipefail

need_dot=0; need_chromium=0; need_pg=0; need_bwrap=0
for what in "$@"; do
  case "$what" in
    graphviz) command -v dot >/dev/null 2>&1 || need_dot=1 ;;
    chromium) [ -x "${BPCOURSE_CHROMIUM:-/usr/bin/chromium}" ] || need_chromium=1 ;;
    postgresql) ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
                  || command -v pg_ctl >/dev/null 2>&1 || need_pg=1 ;;
    bubblewrap) [ "$(uname -s)" != Linux ] || command -v bwrap >/dev/null 2>&1 || need_bwrap=1 ;;
    *) echo "system-deps.sh: unknown dependency '$what' (expected graphviz, chromium, postgresql or bubblewrap)" >&2; exit 2 ;;
  esac
done
[ "$need_dot$need_chromium$need_pg$need_bwrap" = "0000" ] && exit 0

pkgs=()
[ "$need_dot" = 1 ] && pkgs+=(graphviz)
[ "$need_chromium" = 1 ] && pkgs+=(chromium)
[ "$need_pg" = 1 ] && pkgs+=(postgresql)
[ "$need_bwrap" = 1 ] && pkgs+=(bubblewrap)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${pkgs[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
bpcourse needs ${pkgs[*]} from your system, and this script can only install it as root on
Debian/Ubuntu. Install it yourself with one of:
    sudo apt-get install ${pkgs[*]}        # Debian, Ubuntu
    conda install -c conda-forge graphviz   # conda (see environment.yml)
    brew install graphviz                   # macOS (Chromium: brew install --cask chromium)
    sudo dnf install bubblewrap             # Fedora (Linux only: macOS grades unsandboxed)
then run the make command again.
MSG
exit 1
