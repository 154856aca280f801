package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
	"hlstudio/whitelist"
)

// PolicyEditor edits a policy's text (it is Hyperlambda) with validation
// as you type: an error names its line and column; Apply labels the tree
// under the edited policy.
type PolicyEditor struct {
	// Text is the policy's source. Tab moves the focus on (Hyperlambda
	// indents with three spaces, not tabs), Escape closes the dialog.
	Text    *formEntry
	Status  *widget.Label
	OnApply func(*whitelist.Policy, string)
	policy  *whitelist.Policy
	content fyne.CanvasObject
	keys    escKeys
	apply   *formButton
}

// NewPolicyEditor starts from src.
func NewPolicyEditor(src string) *PolicyEditor {
	e := &PolicyEditor{Status: widget.NewLabel("")}
	e.Text = newFormEntry(&e.keys, true)
	// The policy is Hyperlambda: Enter keeps the line's indentation, and
	// lines stay as written.
	e.Text.keepIndent = true
	e.Text.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.Text.TextStyle = fyne.TextStyle{Monospace: true}
	e.Text.SetText(src)
	e.Text.OnChanged = func(string) { e.validate() }
	e.Status.Wrapping = fyne.TextWrapWord
	e.apply = newFormButton(&e.keys, "Apply", e.Apply)
	e.apply.Importance = widget.HighImportance
	e.content = container.NewBorder(nil, e.Status, nil, nil, e.Text)
	e.validate()
	return e
}

// Object is the editor's content.
func (e *PolicyEditor) Object() fyne.CanvasObject { return e.content }

func (e *PolicyEditor) validate() {
	p, err := whitelist.Parse("policy", []byte(e.Text.Text))
	if err != nil {
		var pe *whitelist.Error
		if errors.As(err, &pe) && pe.Pos.IsValid() {
			e.Status.SetText(fmt.Sprintf("Line %d, column %d: %s", pe.Pos.Line, pe.Pos.Col, pe.Msg))
		} else {
			e.Status.SetText(err.Error())
		}
		e.Status.Importance = widget.DangerImportance
		e.policy = nil
		e.Status.Refresh()
		return
	}
	e.policy = p
	e.Status.Importance = widget.SuccessImportance
	e.Status.SetText(fmt.Sprintf("Valid policy %s (hash %s…).", p.Name, p.Hash[:12]))
}

// Apply hands on the policy when the text is valid.
func (e *PolicyEditor) Apply() {
	e.validate()
	if e.policy != nil && e.OnApply != nil {
		e.OnApply(e.policy, e.Text.Text)
	}
}

// policySource is the text of the policy in use, for the editor.
func (s *Studio) policySource() string {
	if s.policyText != "" {
		return s.policyText
	}
	if p := s.Doc.Policy(); p != nil {
		if src, ok := assets.Policy(p.Name); ok {
			return string(src)
		}
	}
	return "name:mine\r\ndescription:\"What this policy allows\"\r\nallow\r\n   effects:pure\r\n"
}

func (s *Studio) showPolicyEditor() {
	if s.win == nil {
		return
	}
	e := NewPolicyEditor(s.policySource())
	d := dialog.NewCustomWithoutButtons("Policy", container.NewGridWrap(fyne.NewSize(640, 440), e.Object()), s.win)
	e.OnApply = func(p *whitelist.Policy, text string) {
		s.stopFollowing()
		s.Doc.SetPolicy(p)
		s.policyText = text
		s.message.SetText("Using the edited policy " + p.Name + ".")
		d.Hide()
	}
	save := newFormButton(&e.keys, "Save as file and follow it…", func() {
		showFileSave(s.fileDir, s.Doc.Policy().Name+".hl", func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			path := w.URI().Path()
			s.fileDir = filepath.Dir(path)
			_, werr := w.Write([]byte(e.Text.Text))
			w.Close()
			if werr == nil {
				werr = s.UsePolicyFile(path)
			}
			if werr != nil {
				s.message.SetText(werr.Error())
				return
			}
			s.policyText, _ = readText(path)
			d.Hide()
		}, s.win)
	})
	d.SetButtons([]fyne.CanvasObject{newFormButton(&e.keys, "Close", d.Hide), save, e.apply})
	e.keys.bind(s.win.Canvas(), d)
	d.Show()
	s.win.Canvas().Focus(e.Text)
}

func readText(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
