package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hlstudio/engine/endpoint"
)

// requestForm is the request a run answers, for the tree's request.*
// slots: verb, URL, client address, headers and cookies. It starts as
// endpoint.DefaultRequest (what `hlstudio run` uses without flags), in a
// collapsed section whose title always shows the verb and URL, so the
// request a run answers is visible without opening it.
type requestForm struct {
	verb    *widget.Select
	url     *widget.Entry
	ip      *widget.Entry
	headers *formEntry // Tab moves on, as in the other fields
	cookies *formEntry
	err     *widget.Label
	item    *widget.AccordionItem
	section *widget.Accordion
	// changed is called after every edit (the panel revalidates).
	changed func()
}

var requestVerbs = []string{"get", "post", "put", "patch", "delete", "head", "options"}

func newRequestForm(changed func()) *requestForm {
	def := endpoint.DefaultRequest()
	f := &requestForm{changed: changed}
	f.verb = widget.NewSelect(requestVerbs, func(string) { f.edited() })
	f.verb.SetSelected(def.Verb)
	f.url, f.ip = widget.NewEntry(), widget.NewEntry()
	f.url.SetText(def.URL)
	f.ip.SetText(def.IP)
	f.headers, f.cookies = newFormEntry(nil, true), newFormEntry(nil, true)
	f.headers.Wrapping, f.cookies.Wrapping = fyne.TextWrapOff, fyne.TextWrapOff // one header or cookie a line
	f.headers.SetPlaceHolder("Name: value, one a line")
	f.cookies.SetPlaceHolder("name=value, one a line")
	f.headers.SetMinRowsVisible(2)
	f.cookies.SetMinRowsVisible(2)
	for _, e := range []*widget.Entry{f.url, f.ip, &f.headers.Entry, &f.cookies.Entry} {
		e.OnChanged = func(string) { f.edited() }
	}
	f.err = widget.NewLabel("")
	f.err.Importance = widget.DangerImportance
	f.err.Wrapping = fyne.TextWrapWord
	f.err.Hide()
	row := func(label string, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewLabel(label), nil, o)
	}
	body := container.NewVBox(row("Verb", f.verb), row("URL", f.url), row("Client IP", f.ip),
		widget.NewLabel("Headers"), f.headers, widget.NewLabel("Cookies"), f.cookies, f.err)
	f.item = widget.NewAccordionItem("", body)
	f.section = widget.NewAccordion(f.item)
	f.retitle()
	return f
}

func (f *requestForm) edited() {
	if f.item == nil { // still being built
		return
	}
	f.retitle()
	if f.changed != nil {
		f.changed()
	}
}

func (f *requestForm) retitle() {
	f.item.Title = fmt.Sprintf("Request: %s %s", strings.ToUpper(f.verb.Selected), f.url.Text)
	if f.section != nil {
		f.section.Refresh()
	}
}

// request is the form as a request; an error (also shown under the
// fields) says which field is wrong and how.
func (f *requestForm) request() (*endpoint.Request, error) {
	req, err := f.parse()
	if err != nil {
		f.err.SetText(err.Error())
		f.err.Show()
		return nil, err
	}
	f.err.SetText("")
	f.err.Hide()
	return req, nil
}

func (f *requestForm) parse() (*endpoint.Request, error) {
	req := &endpoint.Request{Verb: f.verb.Selected, URL: strings.TrimSpace(f.url.Text), IP: strings.TrimSpace(f.ip.Text)}
	var err error
	if req.Headers, err = requestLines(f.headers.Text, "Headers", ":", "Name: value"); err != nil {
		return nil, err
	}
	if req.Cookies, err = requestLines(f.cookies.Text, "Cookies", "=", "name=value"); err != nil {
		return nil, err
	}
	if err := req.Check(); err != nil {
		return nil, err
	}
	return req, nil
}

// requestLines reads one name-value pair a line, skipping blank lines;
// the name and the value are trimmed, as a person typing them expects.
func requestLines(text, field, sep, want string) ([][2]string, error) {
	var pairs [][2]string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, sep)
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%s, line %d: want %s", field, i+1, want)
		}
		pairs = append(pairs, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return pairs, nil
}
