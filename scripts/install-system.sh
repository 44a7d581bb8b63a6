#!/usr/bin/env bash
# Install the Debian packages the project needs (browser tests, CJK fonts,
# PDF checks, WeasyPrint's Pango). Idempotent: exits at once, without
# touching apt, when everything is already installed. Run as root (or with
# sudo available).
set -euo pipefail

PACKAGES=(
  chromium            # headless browser for Playwright dashboard tests
  fonts-noto-cjk      # Noto Sans/Serif CJK: Chinese in browser, matplotlib, PDF
  poppler-utils       # pdffonts, pdftotext, pdftoppm
  libpango-1.0-0      # WeasyPrint (needs Pango >= 1.44)
  libpangoft2-1.0-0   # WeasyPrint
  fontconfig          # fc-list / fc-cache, font discovery
  fonts-dejavu-core   # default Latin sans/serif (matplotlib, Chromium fallback)
)

# One dpkg-query for all of them (a package dpkg does not know is reported on stderr and counts as missing).
declare -A status=()
while read -r name state; do
  status[$name]=$state
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if [[ "${status[$pkg]:-}" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-system: all ${#PACKAGES[@]} system packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
  else
    echo "install-system: missing ${missing[*]} and not root (no sudo)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-system: missing: ${missing[*]}"
echo "install-system: apt-get update"
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
echo "install-system: apt-get install ${missing[*]}"
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [[ " ${missing[*]} " == *" fonts-noto-cjk "* ]] || [[ " ${missing[*]} " == *" fontconfig "* ]]; then
  echo "install-system: fc-cache"
  "${SUDO[@]}" fc-cache -f >/dev/null 2>&1 || true
fi
echo "install-system: done"
