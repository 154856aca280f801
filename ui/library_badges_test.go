package ui

import (
	"context"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"hlstudio/dataset"
)

// The status badges under a prompt ("draft · duplicate ×1") are readable
// in both themes, on a plain row and on a selected (blue) one: at least
// 4.5:1 against what is behind them.
func TestLibraryBadgesReadable(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		test.NewTempApp(t)
		th := variantTheme{theme.DefaultTheme(), v}
		fyne.CurrentApp().Settings().SetTheme(th)
		store := tempStore(t)
		ctx := context.Background()
		for _, st := range []dataset.Status{dataset.StatusDraft, dataset.StatusApproved} {
			if _, err := store.AddSnippet(ctx, dataset.Snippet{Prompt: "Return the sum of a and b", Code: "math.add\n   .:int:1\n   .:int:2\n", Status: st}); err != nil {
				t.Fatal(err)
			}
		}
		w := test.NewTempWindow(t, nil)
		l := newTestLibrary(t, w, store)
		w.SetContent(l.Object())
		w.Resize(fyne.NewSize(600, 600))
		l.Refresh()
		l.WaitSearch()
		waitFor(t, func() bool { return l.length() == 2 }, func() string { return l.count.Text })
		l.Select(0)
		bg := th.Color(theme.ColorNameBackground, v)
		selected := over(th.Color(theme.ColorNameSelection, v), bg)
		for _, badge := range []string{"draft · duplicate ×1", "approved · duplicate ×1"} {
			texts := shownTexts(w, badge)
			if len(texts) == 0 {
				t.Fatalf("variant %v: badge %q not shown", v, badge)
			}
			for _, tx := range texts {
				for name, behind := range map[string]color.Color{"row": bg, "selected row": selected} {
					if c := contrast(tx.Color, behind); c < 4.5 {
						t.Errorf("variant %v: badge %q on a %s: %v on %v, contrast %.1f:1", v, badge, name, tx.Color, behind, c)
					}
				}
			}
		}
		store.Close()
	}
}
