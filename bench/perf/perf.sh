#!/usr/bin/env bash
# make perf: the side-by-side server/client table of docs/performance.md in one go.
# Installs kinesalite from the npm registry into a cache directory (once), builds streamcap and
# runs bench/perf. Extra arguments go to bench/perf (e.g. -duration 20s).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${STREAMCAP_PERF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamcap-perf}"
version=3.3.3
if [ ! -f "$cache/node_modules/kinesalite/package.json" ] || ! grep -q "\"version\": \"$version\"" "$cache/node_modules/kinesalite/package.json"; then
	mkdir -p "$cache"
	npm install --prefix "$cache" --no-audit --no-fund --silent "kinesalite@$version"
fi
go build -o bin/streamcap ./cmd/streamcap
exec go run ./bench/perf -bin bin/streamcap -kinesalite "$cache/node_modules" -kinesalite-version "$version" "$@"
