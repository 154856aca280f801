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

	format    *widget.Select
	status    *widget.Select
	tag       *widget.Entry
	ratio     *widget.Entry
	system    *widget.Entry
	baseModel *widget.Entry
	out       *widget.Entry
	progress  *widget.ProgressBar
	report    *widget.Entry
	button    *widget.Button
	check     *widget.Button
	running   sync.WaitGroup
	content   fyne.CanvasObject
}

// NewExportForm builds the form over store.
func NewExportForm(store *dataset.Store) *ExportForm {
	f := &ExportForm{store: store}
	f.format = widget.NewSelect([]string{"openai", "sharegpt", "alpaca", "hl"}, nil)
	f.format.SetSelected("openai")
	f.status = widget.NewSelect([]string{string(dataset.StatusApproved), string(dataset.StatusDraft), anyChoice}, nil)
	f.status.SetSelected(string(dataset.StatusApproved))
	f.tag = widget.NewEntry()
	f.ratio = widget.NewEntry()
	f.ratio.SetText("0.9")
	f.system = widget.NewMultiLineEntry()
	f.system.SetPlaceHolder("system prompt for every example (optional)")
	f.baseModel = widget.NewEntry()
	f.baseModel.SetPlaceHolder("e.g. qwen2.5-coder:7b (writes a Modelfile)")
	f.out = widget.NewEntry()
	f.out.SetPlaceHolder("output folder")
	f.progress = widget.NewProgressBar()
	f.report = widget.NewMultiLineEntry()
	f.report.SetMinRowsVisible(6)
	f.report.Disable()
	f.button = widget.NewButton("Export", f.Export)
	f.button.Importance = widget.HighImportance
	f.check = widget.NewButton("Check first", f.Check)
	form := widget.NewForm(
		widget.NewFormItem("Format", f.format),
		widget.NewFormItem("Status", f.status),
		widget.NewFormItem("Tag", f.tag),
		widget.NewFormItem("Train share", f.ratio),
		widget.NewFormItem("System prompt", f.system),
		widget.NewFormItem("Base model", f.baseModel),
		widget.NewFormItem("Folder", f.out),
	)
	f.content = container.NewVBox(form, container.NewGridWithColumns(2, f.check, f.button), f.progress, f.report)
	return f
}

// Object is the form's content.
func (f *ExportForm) Object() fyne.CanvasObject { return f.content }

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
	d := dialog.NewCustom("Export training data", "Close", container.NewGridWrap(fyne.NewSize(560, 520), container.NewVScroll(f.Object())), s.win)
	d.Show()
}
