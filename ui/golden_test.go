package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// What a person sees on first start, in both themes: the library with
// the samples, the prompt bar, an opened sample with its labels and the
// run panel. Goldens in testdata/; a mismatch writes testdata/failed/.
func TestStudioGoldens(t *testing.T) {
	for _, variant := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		t.Run(variant.name, func(t *testing.T) {
			s, _, w := newTestStudio(t)
			fyne.CurrentApp().Settings().SetTheme(variantTheme{theme.DefaultTheme(), variant.v})
			s.Library.WaitSearch()
			waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
			s.Library.Select(0)
			s.Library.OpenSelected()
			w.Resize(fyne.NewSize(1280, 800))
			test.AssertImageMatches(t, "studio-"+variant.name+".png", w.Canvas().Capture())
		})
	}
}
