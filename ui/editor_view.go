package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
	"hlstudio/whitelist"
)

// composite is a widget drawn as one tree of other widgets; the views
// embed it and call ExtendBaseWidget with themselves.
type composite struct {
	widget.BaseWidget
	content fyne.CanvasObject
}

func (c *composite) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(c.content)
}

// EditorView is the tree editor, the inspector and the source tab of one
// Document side by side, with a policy picker and a one-line verdict of
// the static check.
type EditorView struct {
	composite

	Doc       *Document
	Tree      *TreeEditor
	Inspector *Inspector
	Source    *SourceTab
	Tabs      *container.AppTabs

	policy   *widget.Select
	summary  *widget.Label
	settingP bool // the picker is being set from the document
	// OnPickPolicy, if set, is called when the person picks a built-in
	// policy (the studio stops following a policy file then).
	OnPickPolicy func(name string)
	// loads is the document's Loads when its branches were last opened.
	loads uint64
}

// NewEditorView composes the editing views of doc. w gets the editor's
// keyboard shortcuts (nil: only while the tree has focus).
func NewEditorView(w fyne.Window, doc *Document) *EditorView {
	v := &EditorView{Doc: doc, Tree: NewTreeEditor(doc), Inspector: NewInspector(doc), Source: NewSourceTab(doc)}
	v.summary = widget.NewLabel("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.policy = widget.NewSelect(assets.PolicyNames(), v.pickPolicy)
	v.policy.PlaceHolder = "(pick a policy)"
	v.Tree.OnSelected(v.Inspector.SetNode)
	v.Tree.OnRename = func() {
		v.Tabs.SelectIndex(0)
		v.Inspector.FocusNameIn(v.Tree.canvas())
	}
	v.Inspector.OnSubmit = v.Tree.FocusTree // Enter after F2 returns to the tree
	// Text typed in the source tab that is not applied (a syntax error) is
	// the person's work: the tree and the inspector refuse edits, saying
	// why, until it is fixed or reverted, rather than overwrite it.
	v.Tree.Guard = v.Source.Unapplied
	v.Inspector.Guard = v.Source.Unapplied
	v.Source.OnUnapplied(func(err error) {
		v.Tree.ShowBlocked(err)
		v.Inspector.SetBlocked(err)
	})
	if w != nil {
		v.Tree.BindShortcuts(w.Canvas())
	}
	v.Tabs = container.NewAppTabs(
		container.NewTabItem("Inspector", v.Inspector),
		container.NewTabItem("Source", v.Source),
	)
	split := container.NewHSplit(v.Tree, v.Tabs)
	split.SetOffset(0.55)
	top := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Policy"), v.policy), nil, v.summary)
	// The policy picker before the tree in the focus order (Tab follows
	// the order objects are given to the layout).
	v.content = container.New(layout.NewBorderLayout(top, nil, nil, nil), top, split)
	doc.OnChange(v.docChanged)
	v.loads = doc.Loads()
	v.docChanged()
	v.openSmall()
	v.ExtendBaseWidget(v)
	return v
}

// SetPolicy labels the tree under p, a built-in or one loaded from a file.
func (v *EditorView) SetPolicy(p *whitelist.Policy) { v.Doc.SetPolicy(p) }

// Summary is the one-line verdict shown next to the policy picker.
func (v *EditorView) Summary() string { return v.summary.Text }

func (v *EditorView) pickPolicy(name string) {
	if v.settingP || name == "" {
		return
	}
	p, err := BuiltinPolicy(name)
	if err != nil {
		v.summary.Importance = widget.DangerImportance
		v.summary.SetText(err.Error())
		return
	}
	if v.OnPickPolicy != nil {
		v.OnPickPolicy(name)
	}
	v.Doc.SetPolicy(p)
}

// openSmall opens every branch of a small tree; a large one opens as its
// top level only.
func (v *EditorView) openSmall() {
	if v.Doc.Len() <= 500 {
		v.Tree.tree.OpenAllBranches()
	}
}

func (v *EditorView) docChanged() {
	// Every tree loaded (a snippet opened, a generation) opens as the
	// first one did; edits keep what the person opened and closed.
	if l := v.Doc.Loads(); l != v.loads {
		v.loads = l
		v.openSmall()
	}
	p := v.Doc.Policy()
	v.settingP = true
	switch {
	case p == nil:
		v.policy.ClearSelected()
	case slices.Contains(assets.PolicyNames(), p.Name):
		v.policy.SetSelected(p.Name)
	default:
		v.policy.ClearSelected()
		v.policy.PlaceHolder = p.Name + " (file)"
		v.policy.Refresh()
	}
	v.settingP = false
	text, imp := verdict(v.Doc)
	v.summary.Importance = imp
	v.summary.SetText(text)
}

// verdict sums up the check in a sentence and the importance to draw it.
func verdict(d *Document) (string, widget.Importance) {
	p := d.Policy()
	if p == nil {
		return "No policy: nothing is checked.", widget.WarningImportance
	}
	warn := 0
	for _, f := range d.Findings() {
		if f.Label == whitelist.LabelDynamic || f.Label == whitelist.LabelUnknownArgument {
			warn++
		}
	}
	var text string
	imp := widget.SuccessImportance
	switch b := d.Blocking(); b {
	case 0:
		text = "Nothing is blocked under " + p.Name + "."
	case 1:
		text, imp = "1 node is blocked under "+p.Name+" (denied or unknown slot).", widget.DangerImportance
	default:
		text, imp = fmt.Sprintf("%d nodes are blocked under %s (denied or unknown slots).", b, p.Name), widget.DangerImportance
	}
	if warn > 0 {
		text += fmt.Sprintf(" %d to look at (dynamic or unknown arguments).", warn)
		if imp == widget.SuccessImportance {
			imp = widget.WarningImportance // something to look at is not all clear
		}
	}
	return text, imp
}
