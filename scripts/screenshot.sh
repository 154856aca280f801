#!/usr/bin/env bash
# GUI smoke test: starts the studio in a virtual X server, waits for its
# window (reporting the cold start time), types a prompt, takes a
# screenshot, checks that something was drawn, and quits with Ctrl+Q.
set -euo pipefail
bin=${1:-bin/hlstudio}
out=${2:-bin/screenshot.png}
display=""
for n in $(seq 90 120); do
	if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || { echo "gui-smoke: no free X display"; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/tmp/hlstudio-xvfb.log 2>&1 &
xvfb=$!
app=""
cleanup() {
	if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; fi
	kill "$xvfb" 2>/dev/null || true
	wait "$xvfb" 2>/dev/null || true # so the display is free when we return
}
trap cleanup EXIT
for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
# The socket can appear before the server answers; GLFW then fails to
# initialise (seen once in CI): wait until a client is served.
for _ in $(seq 1 100); do DISPLAY=$display xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
# No Ollama on this port: the window must still open and say so.
found=""
for attempt in 1 2; do
	start=$(date +%s%N)
	DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 OLLAMA_HOST=127.0.0.1:9 "$bin" >/tmp/hlstudio-gui.log 2>&1 &
	app=$!
	for _ in $(seq 1 300); do
		if DISPLAY=$display xdotool search --onlyvisible --name '^hlstudio( |$)' >/dev/null 2>&1; then found=1; break; fi
		if ! kill -0 "$app" 2>/dev/null; then
			status=0; wait "$app" || status=$?; app=""
			# GLFW failing to start on a fresh virtual display (seen once
			# in CI) gets one more try; anything else fails at once.
			if [ "$attempt" = 1 ] && grep -q "GLFW library is not initialized" /tmp/hlstudio-gui.log; then
				echo "gui-smoke: GLFW did not start on $display; trying once more"; sleep 1; break
			fi
			echo "gui-smoke: the studio exited with status $status before showing a window:"; cat /tmp/hlstudio-gui.log; exit 1
		fi
		sleep 0.1
	done
	[ -n "$found" ] && break
	[ -n "$app" ] && break # still running, no window: reported below
done
[ -n "$found" ] || { echo "gui-smoke: no hlstudio window after 30 s"; cat /tmp/hlstudio-gui.log; exit 1; }
shown_ms=$(( ($(date +%s%N) - start) / 1000000 )) # polled every 0.1 s: an upper bound
sleep 2 # let the first frames and the Ollama probe land
# Drive it like a person: click into the prompt box and type a request.
win=$(DISPLAY=$display xdotool search --onlyvisible --name '^hlstudio( |$)' | head -1)
DISPLAY=$display xdotool windowactivate --sync "$win" >/dev/null 2>&1 || true
DISPLAY=$display xdotool mousemove --window "$win" 700 55 click 1
DISPLAY=$display xdotool type --delay 20 "Return the sum of a and b"
sleep 1
DISPLAY=$display import -window root "$out"
colours=$(identify -format %k "$out")
if [ "$colours" -le 10 ]; then
	echo "gui-smoke: screenshot $out has only $colours colours: nothing drawn"
	exit 1
fi
# Ctrl+Q must close it cleanly (exit status 0, nothing on a crash path).
DISPLAY=$display xdotool key ctrl+q
status=""
for _ in $(seq 1 40); do
	if ! kill -0 "$app" 2>/dev/null; then status=0; wait "$app" || status=$?; app=""; break; fi
	sleep 0.25
done
if [ -z "$status" ]; then
	echo "gui-smoke: the studio did not quit on Ctrl+Q"; cat /tmp/hlstudio-gui.log; exit 1
fi
if [ "$status" -ne 0 ]; then
	echo "gui-smoke: the studio quit with status $status:"; cat /tmp/hlstudio-gui.log; exit 1
fi
echo "gui-smoke: window shown after ${shown_ms} ms, prompt typed, screenshot $out ($colours colours), quit with Ctrl+Q"
