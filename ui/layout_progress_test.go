package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// A bar at 0% reads as empty: its track is not drawn in the primary
// colour (Fyne's own paints it half-transparent blue, which on the dark
// theme looks like a full bar); at 100% it is the primary colour.
func TestLayoutTrackBarReadsEmpty(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		test.NewTempApp(t)
		fyne.CurrentApp().Settings().SetTheme(variantTheme{theme.DefaultTheme(), v})
		bar := NewTrackBar()
		w := test.NewTempWindow(t, container.NewWithoutLayout(bar))
		w.SetPadded(false)
		w.Resize(fyne.NewSize(300, 60))
		bar.Resize(fyne.NewSize(300, 40))
		pixel := func() color.NRGBA {
			img := w.Canvas().Capture()
			return color.NRGBAModel.Convert(img.At(20, 20)).(color.NRGBA) // left of the percentage
		}
		primary := color.NRGBAModel.Convert(theme.DefaultTheme().Color(theme.ColorNamePrimary, v)).(color.NRGBA)
		bg := color.NRGBAModel.Convert(theme.DefaultTheme().Color(theme.ColorNameInputBackground, v)).(color.NRGBA)
		if p := pixel(); !near(p, bg) {
			t.Errorf("variant %v: at 0%% the track is %v, want the input background %v", v, p, bg)
		}
		bar.SetValue(1)
		if p := pixel(); !near(p, primary) {
			t.Errorf("variant %v: at 100%% the bar is %v, want the primary %v", v, p, primary)
		}
	}
}

func near(a, b color.NRGBA) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) < 12 && d(a.G, b.G) < 12 && d(a.B, b.B) < 12
}
