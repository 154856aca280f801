package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// The type marker of a row (x, string, int) is secondary text, yet
// readable in both themes: at least 4.5:1 against a plain, a hovered and a
// selected row.
func TestTreeTypeMarkerReadable(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		test.NewTempApp(t)
		th := variantTheme{theme.DefaultTheme(), v}
		fyne.CurrentApp().Settings().SetTheme(th)
		e := NewTreeEditor(mustDoc(t, ".a:x:@.b\r\n.b:hello\r\n.c:int:1\r\n", "pure"))
		w := test.NewTempWindow(t, e)
		w.Resize(fyne.NewSize(700, 400))
		e.Select(byPath(t, e.doc, "/2")) // the int row selected
		bg := th.Color(theme.ColorNameBackground, v)
		behind := map[string]color.Color{
			"row":          bg,
			"hovered row":  over(th.Color(theme.ColorNameHover, v), bg),
			"selected row": over(th.Color(theme.ColorNameSelection, v), bg),
		}
		for _, typ := range []string{"x", "string", "int"} {
			texts := shownTexts(w, typ)
			if len(texts) == 0 {
				t.Fatalf("variant %v: type marker %q not shown", v, typ)
			}
			for _, tx := range texts {
				for name, b := range behind {
					if c := contrast(tx.Color, b); c < 4.5 {
						t.Errorf("variant %v: type %q on a %s: %v on %v, contrast %.1f:1", v, typ, name, tx.Color, b, c)
					}
				}
				// Secondary: not drawn as loud as the name.
				if c, fg := contrast(tx.Color, bg), contrast(th.Color(theme.ColorNameForeground, v), bg); c > fg {
					t.Errorf("variant %v: type %q stands out more (%.1f:1) than the names (%.1f:1)", v, typ, c, fg)
				}
			}
		}
	}
}
