#!/usr/bin/env bash
# Runs every fuzz target of the module briefly, one at a time (go test
# -fuzz takes one target per run). Targets are found by their declaration.
#
# Go before 1.27 can fail a target with a bare "context deadline exceeded"
# when -fuzztime ends while a worker is mid-input (golang/go#75804): no
# failing input is written and nothing is wrong. Such a run counts as passed
# only when the log names no failing input and replaying the target's
# corpus (go test -run) passes; anything else fails.
set -euo pipefail
cd "$(dirname "$0")/.."
TAGS=${TAGS:-sqlite_fts5}
FUZZTIME=${FUZZTIME:-10s}
PGO=${PGO:--pgo=off}
# Fuzzing instruments every package it links, so it compiles them all once
# more, SQLite's C included. The C gets no coverage instrumentation (the
# fuzzer is guided by Go's) and a slower SQLite only means fewer inputs
# in the same -fuzztime, so it is compiled unoptimised: 7 s instead of
# 34 s of CPU on a new machine. Shipped builds keep -O2.
export CGO_CFLAGS="${FUZZ_CGO_CFLAGS:--O0 -g0}"
status=0
while IFS=: read -r file name; do
	dir=$(dirname "$file")
	log="/tmp/fuzz-$name.log"
	echo "fuzz: $name in ./$dir for $FUZZTIME"
	if go test -tags "$TAGS" $PGO -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "./$dir" >"$log" 2>&1; then
		continue
	fi
	if grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log" &&
		go test -tags "$TAGS" $PGO -run "^${name}\$" "./$dir" >>"$log" 2>&1; then
		echo "fuzz: $name stopped with the -fuzztime deadline race (golang/go#75804); its corpus replays clean"
		continue
	fi
	cat "$log"
	status=1
done < <(grep -rHoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)\(' . | sed -E 's|^\./||; s|:func (Fuzz[A-Za-z0-9_]+)\(|:\1|')
exit $status
