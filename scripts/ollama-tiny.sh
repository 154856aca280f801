#!/usr/bin/env bash
# Builds the real Ollama server the tests talk to, once, from the Go module
# proxy (go install pkg@version keeps the server's dependencies out of our
# go.mod). The binary lives under the user's cache, not bin/, so `make clean`
# does not throw away a five-minute C++ build. Prints the binary's path.
#
#   scripts/ollama-tiny.sh              build when missing, print the path
#   scripts/ollama-tiny.sh --path       only print the path
#   scripts/ollama-tiny.sh --background build when missing, behind the caller
#
# One build at a time (a lock in the cache folder): a caller that finds a
# build running waits for it. `make test` starts the build in the
# background first, so that on a new machine it overlaps the compiles of
# vet and of the unit tests; the tests that need the server wait for the
# lock (internal/ollamatest).
#
# HLSTUDIO_OLLAMA_BIN overrides the location (an existing binary is used as is).
set -euo pipefail

# Keep in step with github.com/ollama/ollama in go.mod: the client API and the
# server must speak the same protocol.
version=0.17.4

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/hlstudio/ollama-$version
bin=${HLSTUDIO_OLLAMA_BIN:-$cache/ollama}

if [ "${1:-}" = "--path" ]; then
	echo "$bin"
	exit 0
fi
log=$(dirname "$bin")/build.log

# `ollama -v` asks a server first; point it at a closed port so it answers
# at once with the client version alone.
have_version() {
	[ -x "$bin" ] && OLLAMA_HOST=127.0.0.1:1 "$bin" -v 2>&1 | grep -q "version is $version\$"
}

if have_version; then
	[ "${1:-}" = "--background" ] || echo "$bin"
	exit 0
fi
mkdir -p "$(dirname "$bin")"
if [ "${1:-}" = "--background" ]; then
	if [ -e "$(dirname "$bin")/build.lock" ] && ! flock -n "$(dirname "$bin")/build.lock" true; then
		echo "ollama-tiny: already building in the background (log: $log)"
		exit 0
	fi
	nohup "$0" >"$log" 2>&1 </dev/null &
	echo "ollama-tiny: building in the background while the other steps run (log: $log)"
	exit 0
fi
exec 9>"$(dirname "$bin")/build.lock"
if ! flock -n 9; then
	echo "ollama-tiny: waiting for the build already running (log: $log)" >&2
	flock 9
fi
# The build that held the lock may have made it.
if have_version; then
	echo "$bin"
	exit 0
fi
if [ -n "${HLSTUDIO_OLLAMA_BIN:-}" ] && [ "$bin" != "$cache/ollama" ]; then
	echo "ollama-tiny: HLSTUDIO_OLLAMA_BIN=$bin is not ollama $version" >&2
	exit 1
fi

# Go module zips drop vendor/, so llama.cpp's header-only dependencies are
# missing: Debian ships two, a stub replaces miniaudio (audio input only).
packages=(g++ nlohmann-json3-dev libstb-dev)
missing=()
for p in "${packages[@]}"; do
	if ! dpkg -s "$p" >/dev/null 2>&1; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "ollama-tiny: apt-get is not available; please install: ${missing[*]}" >&2
		exit 1
	fi
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "ollama-tiny: not root and no sudo; please install: ${missing[*]}" >&2
			exit 1
		fi
		sudo=(sudo)
	fi
	echo "ollama-tiny: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

echo "ollama-tiny: building ollama $version into $(dirname "$bin") (about 5 minutes on 2 cores, once)" >&2
start=$(date +%s)
# Outside the project so its go.mod plays no part; without the -X the server
# reports version 0.0.0.
(
	cd /
	# llama.cpp's C++ without debug information: the same code, built in
	# much less time (nothing here debugs it).
	CGO_ENABLED=1 \
		CGO_CPPFLAGS="-I$root/internal/ollamatest/cinclude" \
		CGO_CFLAGS="-O2 -g0" CGO_CXXFLAGS="-O2 -g0" \
		GOBIN="$(dirname "$bin")" GOFLAGS= \
		go install "-ldflags=-X=github.com/ollama/ollama/version.Version=$version" \
		"github.com/ollama/ollama@v$version" >&2
)
if ! have_version; then
	echo "ollama-tiny: built $bin but it does not report version $version" >&2
	exit 1
fi
echo "ollama-tiny: built in $(($(date +%s) - start)) s" >&2
echo "$bin"
