#!/usr/bin/env bash
# Installs the Debian packages hlstudio needs to build (cgo, OpenGL, X11)
# and to run its GUI smoke test (Xvfb, xdotool, ImageMagick).
# A machine that already has them all skips apt entirely.
set -euo pipefail

packages=(
	gcc pkg-config
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev
	xvfb xdotool imagemagick
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg -s "$p" >/dev/null 2>&1; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
	echo "deps: apt-get is not available; please install: ${missing[*]}" >&2
	echo "deps: (or the equivalent packages of your system) and run make again" >&2
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		echo "deps: not root and no sudo; please install: ${missing[*]}" >&2
		exit 0
	fi
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
