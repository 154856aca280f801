package ui

import "fyne.io/fyne/v2"

// Window size, kept between launches and never bigger than the screen:
// a window forced taller than the screen once must not open that tall
// again.

const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
)

// defaultWindowSize is the first start's size when the screen is not
// known (it fits 1280x800 with a title bar and a panel); on a known
// screen the first start takes the screen, less a title bar, up to
// largestFirstSize.
var (
	defaultWindowSize = fyne.NewSize(1180, 740)
	largestFirstSize  = fyne.NewSize(1440, 900)
)

// titleBar is the room left for the window's title bar (drawn by the
// desktop, outside the canvas) when the first size fills the screen.
const titleBar = 48

// fitScreen is size no bigger than screen (a zero dimension: unknown).
func fitScreen(size, screen fyne.Size) fyne.Size {
	if screen.Width > 0 && size.Width > screen.Width {
		size.Width = screen.Width
	}
	if screen.Height > 0 && size.Height > screen.Height {
		size.Height = screen.Height
	}
	return size
}

// loadWindowSize is the size to open the window at: the saved one (or
// the default), fitted to screen.
func loadWindowSize(p fyne.Preferences, screen fyne.Size) fyne.Size {
	size := fyne.NewSize(float32(p.Float(prefWindowWidth)), float32(p.Float(prefWindowHeight)))
	if size.Width < 320 || size.Height < 240 { // none saved (or nonsense)
		if screen.Width < 640 || screen.Height < 480 {
			return fitScreen(defaultWindowSize, screen)
		}
		return fitScreen(largestFirstSize, screen.SubtractWidthHeight(0, titleBar))
	}
	return fitScreen(size, screen)
}

// saveWindowSize keeps size, fitted to screen.
func saveWindowSize(p fyne.Preferences, size, screen fyne.Size) {
	size = fitScreen(size, screen)
	p.SetFloat(prefWindowWidth, float64(size.Width))
	p.SetFloat(prefWindowHeight, float64(size.Height))
}
