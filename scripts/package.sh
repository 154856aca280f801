#!/usr/bin/env bash
# Builds the Linux tarball with `fyne package` (fyne.io/tools v1.7.4,
# built once from the Go module proxy into ~/.cache/hlstudio). The work
# tree stays clean: fyne package runs in a temporary copy and only the
# tarball comes back, into bin/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${XDG_CACHE_HOME:-$HOME/.cache}/hlstudio/tools
fyne=$tools/fyne
have=$("$fyne" version 2>/dev/null || true) # read whole: grep -q would cut the pipe
if [ ! -x "$fyne" ] || [[ "$have" != *"cli version: v1.7.4"* ]]; then
	echo "package: building fyne v1.7.4 (once)"
	GOBIN=$tools go install fyne.io/tools/cmd/fyne@v1.7.4
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work"
version=$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)
# Built here so the binary is named hlstudio and carries the version;
# with the flags `make build` compiles with ($PGO too), so that on a new
# machine the dependencies (go-gl and SQLite's C among them, minutes cold)
# come from the build cache: -ldflags only changes the link.
(cd "$work" && go build -tags "${TAGS:-sqlite_fts5}" ${PGO:-} -ldflags "-s -w -X hlstudio/cli.Version=$version" -o hlstudio ./app &&
	"$fyne" package --os linux --release --executable hlstudio --icon assets/icon.png --name hlstudio \
		--app-id io.hlstudio.studio --app-version "$version" >/dev/null)
mkdir -p bin
out=$(ls "$work"/*.tar.xz "$work"/app/*.tar.xz 2>/dev/null | head -1 || true)
[ -n "$out" ] || { echo "package: fyne package produced no tarball"; exit 1; }
cp "$out" bin/
echo "package: bin/$(basename "$out")"
