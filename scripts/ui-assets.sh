#!/usr/bin/env bash
# ui-assets.sh fetches the web UI's third-party scripts from npm, at the exact
# versions of package-lock.json, and copies them into ui/static/vendor/, the
# gitignored folder that ui/static.go embeds. The Go build fails until this
# has run, so a binary never ships a UI without its scripts.
#
# The lockfile's devDependencies are test tools that stay in node_modules
# and are never copied into ui/static (so never embedded in the binary):
# axe-core, which the browser tests inject into every page
# (ui/axe_browser_test.go), and Lighthouse (scripts/lighthouse.sh). A build
# that needs none of them sets npm_config_omit=dev (deploy/Dockerfile does).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
	echo "ui-assets: npm is needed to fetch htmx (Debian: apt-get install npm)" >&2
	exit 1
fi

npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error

vendor=ui/static/vendor
mkdir -p "$vendor"
install -m 0644 node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
install -m 0644 node_modules/htmx-ext-ws/dist/ws.min.js "$vendor/ws.min.js"
echo "ui-assets: htmx $(node -p 'require("./node_modules/htmx.org/package.json").version'), htmx-ext-ws $(node -p 'require("./node_modules/htmx-ext-ws/package.json").version') in $vendor"
if [ -f node_modules/axe-core/package.json ]; then
	echo "ui-assets: test tools axe-core $(node -p 'require("./node_modules/axe-core/package.json").version'), lighthouse $(node -p 'require("./node_modules/lighthouse/package.json").version') in node_modules (not embedded)"
fi
