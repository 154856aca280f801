#!/usr/bin/env bash
# Runs every fuzz target of the module briefly, one at a time (go test
# -fuzz takes one target per run). Targets are found by their declaration.
set -euo pipefail
cd "$(dirname "$0")/.."
TAGS=${TAGS:-sqlite_fts5}
FUZZTIME=${FUZZTIME:-10s}
status=0
while IFS=: read -r file name; do
	dir=$(dirname "$file")
	echo "fuzz: $name in ./$dir for $FUZZTIME"
	if ! go test -tags "$TAGS" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "./$dir" >"/tmp/fuzz-$name.log" 2>&1; then
		cat "/tmp/fuzz-$name.log"
		status=1
	fi
done < <(grep -rHoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)\(' . | sed -E 's|^\./||; s|:func (Fuzz[A-Za-z0-9_]+)\(|:\1|')
exit $status
