package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The export report is readable text that can be selected to copy, in
// the text colour on both variants, not a disabled field's grey.
func TestExportReportReadable(t *testing.T) {
	s, _, _ := newTestStudio(t)
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		th := variantTheme{theme.DefaultTheme(), v}
		fyne.CurrentApp().Settings().SetTheme(th)
		f := NewExportForm(s.store)
		w := test.NewTempWindow(t, f.Object())
		w.Resize(fyne.NewSize(560, 900))
		f.status.SetSelected(anyChoice)
		f.Check()
		f.Wait()
		waitFor(t, func() bool { return strings.HasPrefix(f.Report(), "Checked") }, func() string { return f.Report() })
		if l, ok := any(f.report).(*widget.Label); !ok || !l.Selectable {
			t.Errorf("variant %d: the report is a %T, not selectable text", v, f.report)
		}
		first := strings.SplitN(f.Report(), "\n", 2)[0]
		texts := shownTexts(w, first)
		if len(texts) == 0 {
			t.Fatalf("variant %d: %q is not shown", v, first)
		}
		for _, tx := range texts {
			for _, back := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground} {
				bg := th.Color(back, v)
				if c := contrast(tx.Color, bg); c < 4.5 {
					t.Errorf("variant %d: %q is drawn in %v on %v (%s): %.1f:1, want 4.5:1", v, first, tx.Color, bg, back, c)
				}
			}
		}
	}
}
