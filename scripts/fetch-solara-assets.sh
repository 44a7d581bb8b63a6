#!/usr/bin/env bash
# Fill a Solara assets cache directory from the npm registry, so a Solara
# server (and Mesa's SolaraViz) works with no CDN. Point Solara at it with
#   SOLARA_ASSETS_PROXY_CACHE_DIR=<dir>
# Solara maps /_solara/cdn/<path> to <dir>/<path>; each package goes to
# <dir>/<name>@<version-as-solara-asks-for-it>/ (npm tarball's package/).
# Versions match solara 1.64.x with ipyvue/ipyvuetify 1.x (Vuetify 2 app):
# the app bundle, grid layout, requirejs, font-awesome (every page), katex and
# mermaid (solara.Markdown), vega/vega-lite/vega-embed (solara.FigureAltair,
# Mesa's altair backend; Solara asks for them by major version only).
# Idempotent: does nothing when the cache is already complete.
# usage: fetch-solara-assets.sh [DIR]   (default: .cache/solara-cdn)
set -euo pipefail

DEST=${1:-${SOLARA_ASSETS_PROXY_CACHE_DIR:-.cache/solara-cdn}}

# "<directory name under DEST>  <npm spec to pack>  <file that must exist>"
ASSETS=(
  "@widgetti/solara-vuetify-app@10.1.1     @widgetti/solara-vuetify-app@10.1.1     dist/solara-vuetify-app8.min.js"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2 @widgetti/vue-grid-layout@2.3.13-alpha.2 dist/vue-grid-layout.umd.js"
  "requirejs@2.3.6                          requirejs@2.3.6                          require.js"
  "font-awesome@4.5.0                       font-awesome@4.5.0                       css/font-awesome.min.css"
  "katex@0.16.9                             katex@0.16.9                             dist/katex.min.js"
  "mermaid@10.8.0                           mermaid@10.8.0                           dist/mermaid.min.js"
  "vega@5                                   vega@5.33.1                              build/vega.min.js"
  "vega-lite@5                              vega-lite@5.23.0                         build/vega-lite.min.js"
  "vega-embed@6                             vega-embed@6.29.0                        build/vega-embed.min.js"
)

missing=()
for line in "${ASSETS[@]}"; do
  read -r dir spec check <<<"$line"
  [[ -f "$DEST/$dir/$check" ]] || missing+=("$line")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "fetch-solara-assets: $DEST complete"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "fetch-solara-assets: npm not found" >&2; exit 1; }

mkdir -p "$DEST"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for line in "${missing[@]}"; do
  read -r dir spec check <<<"$line"
  echo "fetch-solara-assets: npm pack $spec -> $DEST/$dir"
  tgz=$(cd "$tmp" && npm pack --silent "$spec" | tail -n 1)
  rm -rf "${DEST:?}/$dir.partial"
  mkdir -p "$DEST/$dir.partial"
  tar -xzf "$tmp/$tgz" -C "$DEST/$dir.partial" --strip-components=1 --no-same-owner
  [[ -f "$DEST/$dir.partial/$check" ]] || { echo "fetch-solara-assets: $spec lacks $check" >&2; exit 1; }
  rm -rf "${DEST:?}/$dir"
  mv "$DEST/$dir.partial" "$DEST/$dir"
  rm -f "$tmp/$tgz"
done
echo "fetch-solara-assets: done ($(du -sh "$DEST" | cut -f1))"
