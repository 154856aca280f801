#!/usr/bin/env bash
# The command's stderr stays clean under the C locale with a charset
# (LANG=C.UTF-8, the default of Debian containers and CI machines): Fyne
# used to log "Error parsing user locale C" on every start, before any of
# our code ran (see internal/clocale). Checked on the built command, since
# it depends on which packages the binary initializes, and in what order.
#
#   scripts/locale-check.sh BINARY
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '.a:1\n' >"$dir/a.hl"
for locale in "LANG=C.UTF-8" "LC_ALL=POSIX.UTF-8"; do
	err=$(cd "$dir" && env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$locale" "$bin" fmt a.hl 2>&1 >/dev/null) || {
		echo "locale-check: $bin fmt failed under $locale: $err"
		exit 1
	}
	if [ -n "$err" ]; then
		echo "locale-check: under $locale the command wrote to stderr: $err"
		exit 1
	fi
done
echo "locale-check: stderr clean under C.UTF-8 and POSIX.UTF-8"
