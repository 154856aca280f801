#!/usr/bin/env bash
# Regenerates the CPU profiles builds are optimized with (PGO, `go build
# -pgo`): app/default.pgo for the hlstudio command (the runtime's own
# benchmarks: snippets parsed, checked and run, dynamic slot calls, the
# 10,000-node check, the parser and expressions, a CRUD endpoint, and the
# runtime side of the starlark comparison), and bench/default.pgo for the
# comparison module (the same, with starlark's side too, so both sides of
# each ratio are built alike). Run it when the hot paths change much; a
# stale profile still builds, it only optimizes less.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
tags=(-tags sqlite_fts5)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$PWD
$GO test "${tags[@]}" -run '^$' -bench 'RunFromText|RunCached|Check10k|DynamicCalls' -benchtime 2s -cpuprofile "$tmp/engine.prof" -o "$tmp/engine.test" ./engine
$GO test "${tags[@]}" -run '^$' -bench 'ParseSnippets|EvaluateMix' -benchtime 2s -cpuprofile "$tmp/hl.prof" -o "$tmp/hl.test" ./hyperlambda
(cd engine/dataslots && $GO test "${tags[@]}" -run '^$' -bench CRUDEndpoint -benchtime 20000x -cpuprofile "$tmp/crud.prof" -o "$tmp/crud.test" .)
(cd bench && $GO test "${tags[@]}" -pgo=off -run '^$' -bench . -benchtime 20x -cpuprofile "$tmp/bench.prof" -o "$tmp/bench.test" .)
profiles=("$tmp/engine.prof" "$tmp/hl.prof" "$tmp/crud.prof" "$tmp/bench.prof")
$GO tool pprof -proto -ignore 'starlark' "${profiles[@]}" > "$root/app/default.pgo"
$GO tool pprof -proto "${profiles[@]}" > "$root/bench/default.pgo"
ls -l app/default.pgo bench/default.pgo
