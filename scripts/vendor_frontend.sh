#!/usr/bin/env bash
# Rebuild the vendored front-end files under static/vendor/ from the npm registry.
#
# Why: CodeMirror 6 ships as ES modules that import each other by package name, which a
# browser cannot resolve without a bundler or an import map. We bundle them once, here, and
# commit the result so that running the site never needs Node.js.
#
# Inputs : scripts/frontend/package.json + package-lock.json (exact pins), codemirror-entry.js
# Outputs: static/vendor/codemirror.bundle.js   one ES module exporting what the editor needs
#          static/vendor/lightweight-charts.standalone.production.js   global LightweightCharts
#          static/vendor/VERSIONS.txt           what was bundled, from which versions
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/frontend"
OUT="$ROOT/static/vendor"
SCRATCH="$(mktemp -d -t quantdesk-vendor-XXXXXX)"
trap 'rm -rf "$SCRATCH"' EXIT

cp "$SRC/package.json" "$SRC/package-lock.json" "$SRC/codemirror-entry.js" "$SCRATCH/"
cd "$SCRATCH"
# npm ci installs exactly the lock file; esbuild's platform binary comes as an optional
# dependency, so its (blocked by default) postinstall script is not needed.
npm ci --no-audit --no-fund --loglevel=error

mkdir -p "$OUT"
./node_modules/.bin/esbuild codemirror-entry.js \
  --bundle --format=esm --minify --target=es2020 --legal-comments=eof \
  --outfile="$OUT/codemirror.bundle.js"

cp node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js "$OUT/"

{
  # No date: rerunning the script with the same pins must leave this folder unchanged.
  echo "# Built by scripts/vendor_frontend.sh from the pins in scripts/frontend/package-lock.json."
  echo "# Do not edit the files in this folder by hand; change the pins in scripts/frontend/ and rerun."
  echo
  echo "codemirror.bundle.js (esbuild $(./node_modules/.bin/esbuild --version), ES module, MIT):"
  for pkg in codemirror @codemirror/state @codemirror/view @codemirror/language @codemirror/commands \
             @codemirror/search @codemirror/lint @codemirror/autocomplete @codemirror/lang-python \
             @lezer/common @lezer/highlight @lezer/lr @lezer/python style-mod w3c-keyname crelt; do
    [ -f "node_modules/$pkg/package.json" ] || continue
    node -e "const p=require('./node_modules/$pkg/package.json');console.log('  '+p.name+'@'+p.version+' ('+p.license+')')"
  done
  echo
  echo "lightweight-charts.standalone.production.js (global LightweightCharts; keep the TradingView attribution):"
  for pkg in lightweight-charts fancy-canvas; do
    node -e "const p=require('./node_modules/$pkg/package.json');console.log('  '+p.name+'@'+p.version+' ('+p.license+')')"
  done
} > "$OUT/VERSIONS.txt"

echo "vendored into $OUT:"
ls -l "$OUT"
