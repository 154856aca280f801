package ui

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/compiler"
	"hlstudio/whitelist"
)

// Settings are the studio's preferences, kept between launches.
type Settings struct {
	OllamaHost      string // empty: $OLLAMA_HOST, then 127.0.0.1:11434
	DefaultModel    string
	DefaultMode     string // auto, text or tree
	Attempts        int
	TemperatureStep float64
	Examples        int    // few-shot snippets; 0 none
	Theme           string // system, light or dark
	DBPath          string // empty: the default; takes effect on the next start
	// Budgets cap runs started in the studio: the tighter of these and
	// the policy's apply (a cap can only narrow). Zero means no cap.
	MaxSteps  int64
	MaxTimeMS int64
	MaxNodes  int64
}

// Preference keys.
const (
	prefHost     = "ollama.host"
	prefModel    = "model.default"
	prefMode     = "mode.default"
	prefAttempts = "generate.attempts"
	prefTemp     = "generate.temperature-step"
	prefExamples = "generate.examples"
	prefTheme    = "theme"
	prefDB       = "db.path"
	prefSteps    = "run.max-steps"
	prefTimeMS   = "run.max-time-ms"
	prefNodes    = "run.max-nodes"
)

// LoadSettings reads the settings, with the defaults for what is unset.
func LoadSettings(p fyne.Preferences) Settings {
	return Settings{
		OllamaHost: p.String(prefHost), DefaultModel: p.String(prefModel),
		DefaultMode: p.StringWithFallback(prefMode, modeAuto), Attempts: p.IntWithFallback(prefAttempts, 3),
		TemperatureStep: p.FloatWithFallback(prefTemp, 0.4), Examples: p.IntWithFallback(prefExamples, 3),
		Theme: p.StringWithFallback(prefTheme, "system"), DBPath: p.String(prefDB),
		MaxSteps: int64(p.Int(prefSteps)), MaxTimeMS: int64(p.Int(prefTimeMS)), MaxNodes: int64(p.Int(prefNodes)),
	}
}

// Save writes the settings.
func (s Settings) Save(p fyne.Preferences) {
	p.SetString(prefHost, s.OllamaHost)
	p.SetString(prefModel, s.DefaultModel)
	p.SetString(prefMode, s.DefaultMode)
	p.SetInt(prefAttempts, s.Attempts)
	p.SetFloat(prefTemp, s.TemperatureStep)
	p.SetInt(prefExamples, s.Examples)
	p.SetString(prefTheme, s.Theme)
	p.SetString(prefDB, s.DBPath)
	p.SetInt(prefSteps, int(s.MaxSteps))
	p.SetInt(prefTimeMS, int(s.MaxTimeMS))
	p.SetInt(prefNodes, int(s.MaxNodes))
}

// budgetCap is a policy that allows every slot with the settings'
// budgets, to intersect with a run's policy (nil when nothing is capped).
func (s Settings) budgetCap() *whitelist.Policy {
	if s.MaxSteps <= 0 && s.MaxTimeMS <= 0 && s.MaxNodes <= 0 {
		return nil
	}
	src := "name:studio-budgets\r\nallow\r\n   *\r\nbudgets\r\n"
	if s.MaxSteps > 0 {
		src += fmt.Sprintf("   steps:long:%d\r\n", s.MaxSteps)
	}
	if s.MaxTimeMS > 0 {
		src += fmt.Sprintf("   time-ms:long:%d\r\n", s.MaxTimeMS)
	}
	if s.MaxNodes > 0 {
		src += fmt.Sprintf("   nodes:long:%d\r\n", s.MaxNodes)
	}
	p, err := whitelist.Parse("settings", []byte(src))
	if err != nil {
		return nil // the form only lets positive integers through
	}
	// Parse fills what the text leaves out with the defaults; a cap caps
	// only what it sets (the text, and so the hash, says which).
	b := whitelist.Budgets{Steps: math.MaxInt64, Time: math.MaxInt64, Nodes: math.MaxInt64, Depth: math.MaxInt, OutputBytes: math.MaxInt64}
	if s.MaxSteps > 0 {
		b.Steps = p.Budgets.Steps
	}
	if s.MaxTimeMS > 0 {
		b.Time = p.Budgets.Time
	}
	if s.MaxNodes > 0 {
		b.Nodes = p.Budgets.Nodes
	}
	p.Budgets = b
	return p
}

// tuning is the compiler configuration the settings give.
func (s Settings) tuning() compiler.Config {
	cfg := compiler.Config{Attempts: s.Attempts, TemperatureStep: s.TemperatureStep, Examples: s.Examples}
	if s.Examples == 0 {
		cfg.Examples = -1 // none, where the compiler's zero means its default
	}
	return cfg
}

// studioTheme is Fyne's default theme with success, warning and error
// colours that read as text: the default light variant's green (#43F436)
// and orange (#FF9800) are under 2.5:1 on white. Each is at least 4.5:1
// on the backgrounds text is drawn on (window, dialog, input field, a
// selected row) in its variant.
type studioTheme struct{ fyne.Theme }

// Status colours by variant; the others are the default theme's.
var (
	lightStatusColours = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameSuccess: color.NRGBA{R: 0x22, G: 0x6a, B: 0x29, A: 0xff}, // 6.6:1 on white
		theme.ColorNameWarning: color.NRGBA{R: 0x8f, G: 0x4a, B: 0x00, A: 0xff}, // 6.7:1
		theme.ColorNameError:   color.NRGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff}, // 6.5:1
	}
	darkStatusColours = map[fyne.ThemeColorName]color.Color{
		// The default green and orange are 12:1 and 8:1 on the dark
		// background; its red is 4.4:1 on an input field.
		theme.ColorNameError: color.NRGBA{R: 0xff, G: 0x66, B: 0x59, A: 0xff}, // 6.2:1
	}
)

func (t studioTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	colours := darkStatusColours
	if v == theme.VariantLight {
		colours = lightStatusColours
	}
	if c, ok := colours[n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

// variantTheme is the studio's theme held to one variant, for a theme
// chosen in the settings rather than by the desktop.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return studioTheme{t.Theme}.Color(n, t.variant)
}

// themeFor is the theme a setting names: light or dark, or else the
// desktop's variant.
func themeFor(name string) fyne.Theme {
	switch name {
	case "light":
		return variantTheme{theme.DefaultTheme(), theme.VariantLight}
	case "dark":
		return variantTheme{theme.DefaultTheme(), theme.VariantDark}
	}
	return studioTheme{theme.DefaultTheme()}
}

// SettingsForm edits Settings with validation; OnApply receives them.
type SettingsForm struct {
	host, model, attempts, temp, examples, db *formEntry
	steps, timeMS, nodes                      *formEntry
	mode, theme                               *formSelect
	errors                                    *widget.Label
	form                                      *widget.Form
	OnApply                                   func(Settings)
	// keys sends Escape in any field to the dialog's Close.
	keys escKeys
}

// NewSettingsForm shows s for editing.
func NewSettingsForm(s Settings) *SettingsForm {
	f := &SettingsForm{errors: widget.NewLabel("")}
	entry := func(text, hint string) *formEntry {
		e := newFormEntry(&f.keys, false)
		e.SetText(text)
		e.SetPlaceHolder(hint)
		return e
	}
	f.host = entry(s.OllamaHost, "$OLLAMA_HOST, then 127.0.0.1:11434")
	f.model = entry(s.DefaultModel, "the server's first model")
	f.attempts = entry(strconv.Itoa(s.Attempts), "3")
	f.temp = entry(strconv.FormatFloat(s.TemperatureStep, 'g', -1, 64), "0.4")
	f.examples = entry(strconv.Itoa(s.Examples), "3")
	f.db = entry(s.DBPath, "default data folder")
	count := func(v int64) string {
		if v <= 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	f.steps = entry(count(s.MaxSteps), "the policy's")
	f.timeMS = entry(count(s.MaxTimeMS), "the policy's")
	f.nodes = entry(count(s.MaxNodes), "the policy's")
	f.mode = newFormSelect(&f.keys, []string{modeAuto, modeText, modeTree}, nil)
	f.mode.SetSelected(s.DefaultMode)
	f.theme = newFormSelect(&f.keys, []string{"system", "light", "dark"}, nil)
	f.theme.SetSelected(s.Theme)
	f.errors.Importance = widget.DangerImportance
	f.errors.Wrapping = fyne.TextWrapWord
	f.form = widget.NewForm(
		widget.NewFormItem("Ollama host", f.host),
		widget.NewFormItem("Default model", f.model),
		widget.NewFormItem("Default mode", f.mode),
		widget.NewFormItem("Attempts", f.attempts),
		widget.NewFormItem("Temperature step", f.temp),
		widget.NewFormItem("Examples retrieved", f.examples),
		widget.NewFormItem("Theme", f.theme),
		widget.NewFormItem("Database file", f.db),
		widget.NewFormItem("Run steps at most", f.steps),
		widget.NewFormItem("Run time at most (ms)", f.timeMS),
		widget.NewFormItem("Run nodes at most", f.nodes),
	)
	// Apply is the dialog's button (showSettings), so that Escape works
	// on it too; the form has none of its own.
	return f
}

// Object is the form's content.
func (f *SettingsForm) Object() fyne.CanvasObject { return container.NewVBox(f.form, f.errors) }

// Settings reads the form; an error names the field that is wrong.
func (f *SettingsForm) Settings() (Settings, error) {
	s := Settings{OllamaHost: strings.TrimSpace(f.host.Text), DefaultModel: strings.TrimSpace(f.model.Text),
		DefaultMode: f.mode.Selected, Theme: f.theme.Selected, DBPath: strings.TrimSpace(f.db.Text)}
	var err error
	if s.Attempts, err = strconv.Atoi(strings.TrimSpace(f.attempts.Text)); err != nil || s.Attempts < 1 || s.Attempts > 10 {
		return s, fmt.Errorf("attempts must be a whole number from 1 to 10")
	}
	if s.TemperatureStep, err = strconv.ParseFloat(strings.TrimSpace(f.temp.Text), 64); err != nil || s.TemperatureStep < 0 || s.TemperatureStep > 1 {
		return s, fmt.Errorf("the temperature step must be a number from 0 to 1")
	}
	if s.Examples, err = strconv.Atoi(strings.TrimSpace(f.examples.Text)); err != nil || s.Examples < 0 || s.Examples > 10 {
		return s, fmt.Errorf("examples must be a whole number from 0 to 10")
	}
	for _, b := range []struct {
		name string
		e    *formEntry
		v    *int64
	}{{"run steps", f.steps, &s.MaxSteps}, {"run time", f.timeMS, &s.MaxTimeMS}, {"run nodes", f.nodes, &s.MaxNodes}} {
		text := strings.TrimSpace(b.e.Text)
		if text == "" {
			continue
		}
		if *b.v, err = strconv.ParseInt(text, 10, 64); err != nil || *b.v <= 0 {
			return s, fmt.Errorf("%s must be a positive whole number, or empty for the policy's", b.name)
		}
	}
	if s.OllamaHost != "" {
		if _, err := compiler.ResolveOllamaHost(s.OllamaHost); err != nil {
			return s, fmt.Errorf("Ollama host: %v", err)
		}
	}
	return s, nil
}

// Apply validates the form and hands the settings on.
func (f *SettingsForm) Apply() {
	s, err := f.Settings()
	if err != nil {
		f.errors.SetText(err.Error())
		return
	}
	f.errors.SetText("")
	if f.OnApply != nil {
		f.OnApply(s)
	}
}

// ApplySettings puts settings into effect: the model server and the
// generation settings now, the theme at once, the database on the next
// start (said in the message).
func (s *Studio) ApplySettings(set Settings) {
	old := s.settings
	s.settings = set
	if set.OllamaHost != old.OllamaHost && s.opts.Server == nil {
		if o, err := compiler.NewOllama(compiler.OllamaOptions{Host: set.OllamaHost}); err == nil {
			s.Prompt.SetServer(o)
			if old != (Settings{}) {
				// Chosen by the person: say what is at the new host
				// (at start, Run probes once the settings are in).
				s.SetStatus(OllamaStatus{Host: o.Host(), State: OllamaChecking})
				s.recheckOllama()
			}
		}
	}
	s.Prompt.Tuning = set.tuning()
	s.Runner.Cap = set.budgetCap()
	s.Prompt.DefaultModel = set.DefaultModel
	if set.DefaultMode != "" && set.DefaultMode != old.DefaultMode {
		s.Prompt.mode.SetSelected(set.DefaultMode)
	}
	if a := fyne.CurrentApp(); a != nil {
		a.Settings().SetTheme(themeFor(set.Theme))
	}
	switch {
	case old == (Settings{}):
		// The settings read at start: nothing was applied by the person,
		// and the message line may hold something that matters (e.g. the
		// library being unavailable).
	case set.DBPath != old.DBPath:
		s.message.SetText("Settings applied; the database file changes on the next start.")
	default:
		s.message.SetText("Settings applied.")
	}
}

func (s *Studio) showSettings() {
	if s.win == nil {
		return
	}
	f := NewSettingsForm(s.settings)
	d := dialog.NewCustomWithoutButtons("Settings", container.NewGridWrap(fyne.NewSize(540, 470), container.NewVScroll(f.Object())), s.win)
	f.OnApply = func(set Settings) {
		s.ApplySettings(set)
		if a := fyne.CurrentApp(); a != nil {
			set.Save(a.Preferences())
		}
		d.Hide()
	}
	apply := newFormButton(&f.keys, "Apply", f.Apply)
	f.keys.submit = apply
	apply.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{newFormButton(&f.keys, "Close", d.Hide), apply})
	f.keys.bind(s.win.Canvas(), d)
	d.Show()
	s.win.Canvas().Focus(f.host)
}
