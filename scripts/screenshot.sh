#!/usr/bin/env bash
# GUI smoke test: starts the studio in a virtual X server, waits for its
# window, takes a screenshot and checks that something was drawn.
set -euo pipefail
bin=${1:-bin/hlstudio}
out=${2:-bin/screenshot.png}
display=""
for n in $(seq 90 120); do
	if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "gui-smoke: no free X display"; exit 1; }
Xvfb "$display" -screen 0 1024x768x24 -nolisten tcp >/tmp/hlstudio-xvfb.log 2>&1 &
xvfb=$!
app=""
cleanup() {
	if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; fi
	kill "$xvfb" 2>/dev/null || true
	wait "$xvfb" 2>/dev/null || true # so the display is free when we return
}
trap cleanup EXIT
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
# No Ollama on this port: the window must still open and say so.
DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 OLLAMA_HOST=127.0.0.1:9 "$bin" >/tmp/hlstudio-gui.log 2>&1 &
app=$!
found=""
for _ in $(seq 1 60); do
	if DISPLAY=$display xdotool search --name '^hlstudio$' >/dev/null 2>&1; then found=1; break; fi
	if ! kill -0 "$app" 2>/dev/null; then
		status=0; wait "$app" || status=$?; app=""
		echo "gui-smoke: the studio exited with status $status before showing a window:"; cat /tmp/hlstudio-gui.log; exit 1
	fi
	sleep 0.5
done
[ -n "$found" ] || { echo "gui-smoke: no hlstudio window after 30 s"; cat /tmp/hlstudio-gui.log; exit 1; }
sleep 2 # let the first frames and the Ollama probe land
DISPLAY=$display import -window root "$out"
colours=$(identify -format %k "$out")
if [ "$colours" -le 10 ]; then
	echo "gui-smoke: screenshot $out has only $colours colours: nothing drawn"
	exit 1
fi
echo "gui-smoke: window shown, screenshot $out ($colours colours)"
