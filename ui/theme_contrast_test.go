package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Success, warning and error text (allowed node names, "Nothing is
// blocked under sandbox.", denied slots) is readable, 4.5:1 at least, on
// the window, dialog and input backgrounds and on a selected row, in
// both variants, whichever way the theme is chosen: light, dark, or the
// desktop's variant (system). Applying the settings puts that theme in
// effect.
func TestThemeStatusColoursContrast(t *testing.T) {
	type chosen struct {
		setting string
		variant fyne.ThemeVariant
	}
	for _, c := range []chosen{
		{"light", theme.VariantLight}, {"dark", theme.VariantDark},
		{"system", theme.VariantLight}, {"system", theme.VariantDark},
	} {
		th := themeFor(c.setting)
		// What the app asks with the desktop's variant; a chosen variant
		// must win over it.
		ask := c.variant
		if c.setting == "light" {
			ask = theme.VariantDark
		} else if c.setting == "dark" {
			ask = theme.VariantLight
		}
		bg := th.Color(theme.ColorNameBackground, ask)
		if want := theme.DefaultTheme().Color(theme.ColorNameBackground, c.variant); bg != want {
			t.Fatalf("%s (variant %d): background %v, want the default %v", c.setting, c.variant, bg, want)
		}
		backs := map[string]fyne.ThemeColorName{"background": theme.ColorNameBackground,
			"dialog": theme.ColorNameOverlayBackground, "input": theme.ColorNameInputBackground}
		for _, fg := range []fyne.ThemeColorName{theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError} {
			text := th.Color(fg, ask)
			for where, back := range backs {
				if r := contrast(text, th.Color(back, ask)); r < 4.5 {
					t.Errorf("%s theme (variant %d): %s %v on the %s is %.2f:1, want 4.5:1", c.setting, c.variant, fg, text, where, r)
				}
			}
			sel := over(th.Color(theme.ColorNameSelection, ask), bg)
			if r := contrast(text, sel); r < 4.5 {
				t.Errorf("%s theme (variant %d): %s %v on a selected row is %.2f:1, want 4.5:1", c.setting, c.variant, fg, text, r)
			}
		}
	}

	s, _, _ := newTestStudio(t)
	for _, name := range []string{"system", "light", "dark"} {
		set := s.settings
		set.Theme = name
		s.ApplySettings(set)
		got := fyne.CurrentApp().Settings().Theme()
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			if a, b := got.Color(theme.ColorNameSuccess, v), themeFor(name).Color(theme.ColorNameSuccess, v); a != b {
				t.Errorf("theme %s applied: success %v, want the studio's %v", name, a, b)
			}
		}
	}
}
