package main

import (
	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// screenArea is the largest work area (the screen less panels and docks)
// of the monitors, in Fyne units at scale; zero when it is not known.
// It asks GLFW, which the desktop driver has started: call it on the
// main goroutine of a running desktop app only. It lives with the command
// because only the command uses the desktop driver (see ui.Run).
func screenArea(scale float32) (area fyne.Size) {
	defer func() {
		if recover() != nil { // GLFW not started (another driver)
			area = fyne.Size{}
		}
	}()
	if scale <= 0 {
		scale = 1
	}
	for _, m := range glfw.GetMonitors() {
		_, _, w, h := m.GetWorkarea()
		if w <= 0 || h <= 0 {
			if mode := m.GetVideoMode(); mode != nil {
				w, h = mode.Width, mode.Height
			}
		}
		area = area.Max(fyne.NewSize(float32(w)/scale, float32(h)/scale))
	}
	return area
}
