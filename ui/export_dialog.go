package ui

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hlstudio/dataset"
)

// ExportForm is the export dialog's content: format, filters, split
// ratio, system prompt, base model and output folder; Export writes with
// a progress bar and shows the validation report.
type ExportForm struct {
	store *dataset.Store

	format    *formSelect
	status    *formSelect
	tag       *formEntry
	ratio     *formEntry
	system    *formEntry
	baseModel *formEntry
	out       *formEntry
	browse    *formButton
	progress  *TrackBar
	report    *widget.Label // selectable text colour, not a disabled entry's grey
	button    *formButton
	check     *formButton
	running   sync.WaitGroup
	content   fyne.CanvasObject

	// win is where the folder picker opens (nil: Browse does nothing).
	win fyne.Window
	// keys sends Escape in any field to the dialog's Close.
	keys escKeys
}

// NewExportForm builds the form over store.
func NewExportForm(store *dataset.Store) *ExportForm {
	f := &ExportForm{store: store}
	f.format = newFormSelect(&f.keys, []string{"openai", "sharegpt", "alpaca", "hl"}, nil)
	f.format.SetSelected("openai")
	f.status = newFormSelect(&f.keys, []string{string(dataset.StatusApproved), string(dataset.StatusDraft), anyChoice}, nil)
	f.status.SetSelected(string(dataset.StatusApproved))
	f.tag = newFormEntry(&f.keys, false)
	f.tag.SetPlaceHolder("any tag")
	f.ratio = newFormEntry(&f.keys, false)
	f.ratio.SetText("0.9")
	f.system = newFormEntry(&f.keys, true)
	f.system.SetPlaceHolder("system prompt for every example (optional)")
	f.baseModel = newFormEntry(&f.keys, false)
	f.baseModel.SetPlaceHolder("e.g. qwen2.5-coder:7b (writes a Modelfile)")
	f.out = newFormEntry(&f.keys, false)
	f.out.SetPlaceHolder("output folder")
	f.browse = newFormButton(&f.keys, "Browse…", f.Browse)
	f.progress = NewTrackBar()
	f.report = widget.NewLabel("")
	f.report.TextStyle = fyne.TextStyle{Monospace: true} // the report's columns
	f.report.Wrapping = fyne.TextWrapWord                // within the dialog, no sideways scrolling
	f.report.Selectable = true
	f.button = newFormButton(&f.keys, "Export", f.Export)
	f.keys.submit = f.button
	f.button.Importance = widget.HighImportance
	f.check = newFormButton(&f.keys, "Check first", f.Check)
	form := widget.NewForm(
		widget.NewFormItem("Format", f.format),
		widget.NewFormItem("Status", f.status),
		widget.NewFormItem("Tag", f.tag),
		widget.NewFormItem("Train share", f.ratio),
		widget.NewFormItem("System prompt", f.system),
		widget.NewFormItem("Base model", f.baseModel),
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, f.browse, f.out)),
	)
	f.content = container.NewVBox(form, container.NewGridWithColumns(2, f.check, f.button), f.progress, f.report)
	return f
}

// Object is the form's content.
func (f *ExportForm) Object() fyne.CanvasObject { return f.content }

// Browse picks the output folder with the folder picker, starting in
// the folder typed, if any.
func (f *ExportForm) Browse() {
	if f.win == nil {
		return
	}
	showFolderOpen(strings.TrimSpace(f.out.Text), func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		f.out.SetText(u.Path())
	}, f.win)
}

func (f *ExportForm) ratioValue() (float64, error) {
	ratio, err := strconv.ParseFloat(strings.TrimSpace(f.ratio.Text), 64)
	if err != nil || ratio <= 0 || ratio > 1 {
		return 0, fmt.Errorf("the train share must be a number in (0, 1], e.g. 0.9")
	}
	return ratio, nil
}

// Wait blocks until an export in progress has finished.
func (f *ExportForm) Wait() { f.running.Wait() }

// Report is the text shown after an export.
func (f *ExportForm) Report() string { return f.report.Text }

// Export writes the files in the background, showing progress and then
// the report (written beside the files too).
func (f *ExportForm) Export() {
	if _, err := f.ratioValue(); err != nil {
		f.report.SetText(err.Error())
		return
	}
	dir := strings.TrimSpace(f.out.Text)
	if dir == "" {
		f.report.SetText("Choose the output folder.")
		return
	}
	f.export(dir, false)
}

// Check runs the export's validation into a scratch folder and shows the
// report, so a person reads it before anything is written.
func (f *ExportForm) Check() {
	dir, err := os.MkdirTemp("", "hlstudio-export-check-")
	if err != nil {
		f.report.SetText(err.Error())
		return
	}
	f.export(dir, true)
}

func (f *ExportForm) export(dir string, dry bool) {
	ratio, err := f.ratioValue()
	if err != nil {
		f.report.SetText(err.Error())
		return
	}
	format, err := dataset.ParseFormat(f.format.Selected)
	if err != nil {
		f.report.SetText(err.Error())
		return
	}
	opts := dataset.ExportOptions{Format: format, SplitRatio: ratio, SystemPrompt: f.system.Text, BaseModel: strings.TrimSpace(f.baseModel.Text)}
	if s := f.status.Selected; s != anyChoice {
		opts.Filter.Status = []dataset.Status{dataset.Status(s)}
	}
	if t := strings.TrimSpace(f.tag.Text); t != "" {
		opts.Filter.Tags = []string{t}
	}
	// The total is not known before the rows stream: the bar counts up to
	// the filtered count, asked first.
	total, _ := f.store.Count(context.Background(), dataset.Query{Filter: opts.Filter})
	opts.Progress = func(done int) {
		if total > 0 {
			v := min(float64(done)/float64(total), 1)
			onUI(func() { f.progress.SetValue(v) })
		}
	}
	f.button.Disable()
	f.check.Disable()
	f.progress.SetValue(0)
	f.running.Add(1)
	go func() {
		defer f.running.Done()
		rep, err := f.store.Export(context.Background(), dir, opts)
		if dry {
			os.RemoveAll(dir)
		}
		onUI(func() {
			f.button.Enable()
			f.check.Enable()
			if dry {
				text := "Checked: nothing was written.\n\n"
				if err != nil {
					text = "Checked: these examples would be refused; nothing was written.\n\n" + err.Error() + "\n\n"
				}
				if rep != nil {
					text += rep.Text(false)
				}
				f.report.SetText(text)
				return
			}
			switch {
			case err != nil && rep != nil:
				f.report.SetText(err.Error() + "\n\n" + rep.Text(false))
			case err != nil:
				f.report.SetText(err.Error())
			default:
				f.progress.SetValue(1)
				f.report.SetText(fmt.Sprintf("Written to %s.\n\n%s", dir, rep.Text(true)))
			}
		})
	}()
}

func (s *Studio) showExport() {
	if s.store == nil {
		s.message.SetText("The library is unavailable.")
		return
	}
	if s.win == nil {
		return
	}
	f := NewExportForm(s.store)
	f.win = s.win
	// Wide enough for the report's lines (about 110 monospace columns)
	// in a window that has the room: wrapped, its columns did not read.
	size := sizedTo(s.win.Canvas().Size(), fyne.NewSize(560, 520), fyne.NewSize(960, 760))
	d := dialog.NewCustomWithoutButtons("Export training data", container.NewGridWrap(size, container.NewVScroll(f.Object())), s.win)
	d.SetButtons([]fyne.CanvasObject{newFormButton(&f.keys, "Close", d.Hide)})
	f.keys.bind(s.win.Canvas(), d)
	d.Show()
	s.win.Canvas().Focus(f.format)
}
