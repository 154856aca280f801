package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/dataset"
	"hlstudio/internal/english"
	"hlstudio/internal/textdiff"
)

// Library is the curator's view of the dataset: ranked full-text search
// with filters, a list with status and badges, bulk status and tag
// changes, import with progress, and each snippet's history.
type Library struct {
	win   fyne.Window
	store *dataset.Store
	// OnOpen opens a snippet in the editor.
	OnOpen func(dataset.Snippet)
	// BeforeRestore, when set, is asked before a version of snippet id is
	// restored from its history; it runs restore, or not (cancelled). The
	// studio asks first when the snippet is open with unsaved changes.
	BeforeRestore func(id int64, version int, restore func())
	// OnRestored hears a restored snippet as it now is, e.g. to show it
	// in the editor when it is the open one.
	OnRestored func(dataset.Snippet)
	// OnChangedOutside hears that an import or a watched folder changed
	// snippets, e.g. to show the open one as it now is.
	OnChangedOutside func()

	search     *searchEntry
	status     *widget.Select
	split      *widget.Select
	tag        *widget.Entry
	source     *widget.Entry
	list       *libraryList
	count      *widget.Label
	bulkStatus *widget.Select
	bulkTag    *widget.Entry
	importBar  *TrackBar
	importStop *widget.Button
	message    *widget.Label
	content    fyne.CanvasObject
	// lastFolder is the folder last imported or watched: the pickers
	// start there (a curator imports from the same place again).
	lastFolder string

	mu          sync.Mutex
	hits        []dataset.Hit
	regressions map[int64]bool
	checked     map[int64]bool
	seq         int // the newest search; older answers are dropped
	shown       int // the search whose answer the list shows
	// toList: the keyboard asked to move into the hits while a newer
	// search was in flight; it moves once that search has answered.
	toList     bool
	cursor     widget.ListItemID
	importing  job
	searchDone sync.WaitGroup
	watchers   map[string]*dataset.Watcher
}

// The filters' "no filter" choices say what they filter, since both
// selects sit side by side without labels.
const (
	anyChoice = "any"
	anyStatus = "any status"
	anySplit  = "any split"
)

// NewLibrary builds the view over store.
func NewLibrary(win fyne.Window, store *dataset.Store) *Library {
	l := &Library{win: win, store: store, checked: map[int64]bool{}, cursor: -1}
	l.search = &searchEntry{toList: l.focusList}
	l.search.ExtendBaseWidget(l.search)
	l.search.SetPlaceHolder("Search prompts and code…")
	l.search.OnChanged = func(string) { l.Refresh() }
	l.status = widget.NewSelect([]string{anyStatus, string(dataset.StatusDraft), string(dataset.StatusApproved), string(dataset.StatusRejected)}, nil)
	l.status.PlaceHolder = "status"
	l.status.SetSelected(anyStatus)
	l.split = widget.NewSelect([]string{anySplit, string(dataset.SplitTrain), string(dataset.SplitValidation)}, nil)
	l.split.PlaceHolder = "split"
	l.split.SetSelected(anySplit)
	l.status.OnChanged = func(string) { l.Refresh() }
	l.split.OnChanged = func(string) { l.Refresh() }
	l.tag = widget.NewEntry()
	l.tag.SetPlaceHolder("tag")
	l.tag.OnChanged = func(string) { l.Refresh() }
	l.source = widget.NewEntry()
	l.source.SetPlaceHolder("source: folder, generated, sample…")
	l.source.OnChanged = func(string) { l.Refresh() }
	l.count = widget.NewLabel("")
	l.message = widget.NewLabel("")
	l.message.Wrapping = fyne.TextWrapWord
	l.list = &libraryList{open: l.OpenSelected}
	l.list.Length, l.list.CreateItem, l.list.UpdateItem = l.length, l.newRow, l.updateRow
	l.list.ExtendBaseWidget(l.list) // the widget is the libraryList, which hears the keys
	l.list.OnSelected = focusOnSelect(l.list, func(id widget.ListItemID) {
		l.mu.Lock()
		l.cursor = id
		l.mu.Unlock()
	})
	l.bulkStatus = widget.NewSelect([]string{string(dataset.StatusDraft), string(dataset.StatusApproved), string(dataset.StatusRejected)}, nil)
	l.bulkStatus.PlaceHolder = "set status"
	l.bulkTag = widget.NewEntry()
	l.bulkTag.SetPlaceHolder("add tag")
	l.importBar = NewTrackBar()
	l.importBar.Hide()
	l.importStop = widget.NewButton("Stop import", l.StopImport)
	l.importStop.Hide()

	filters := container.NewGridWithColumns(3, l.status, l.split, l.tag)
	top := container.NewVBox(l.search, filters, l.source, l.count)
	actions := container.NewGridWithColumns(4,
		widget.NewButton("Open", l.OpenSelected),
		widget.NewButton("History", l.ShowHistory),
		widget.NewButton("Import…", l.chooseImport),
		widget.NewButton("Watch…", l.chooseWatch))
	bulk := container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, nil, widget.NewButton("Set", l.ApplyStatus), l.bulkStatus),
		container.NewBorder(nil, nil, nil, widget.NewButton("Tag", l.ApplyTag), l.bulkTag))
	bottom := container.NewVBox(actions, widget.NewLabel("Checked snippets:"), bulk, l.importBar, l.importStop, l.message)
	l.content = container.NewBorder(top, bottom, nil, nil, l.list)
	return l
}

// libraryList is the list of hits: a formList outside any dialog (no
// Escape to pass on) on which Enter also opens the row it picks, as a
// double click would elsewhere.
type libraryList struct {
	formList
	open func()
}

// TypedKey opens the highlighted row on Enter, once picked.
func (l *libraryList) TypedKey(e *fyne.KeyEvent) {
	l.formList.TypedKey(e)
	if isEnter(e) {
		l.open()
	}
}

// searchEntry is the library's search field: Down or Enter moves into the
// hits, where the arrows pick and Enter opens, so a search is typed and
// its snippet opened without the mouse (the filters lie between them in
// the Tab order).
type searchEntry struct {
	widget.Entry
	toList func()
}

// TypedKey moves into the hits on Down and Enter.
func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyDown || isEnter(k) {
		e.toList()
		return
	}
	e.Entry.TypedKey(k)
}

// maxHits is how many snippets a search lists at most.
const maxHits = 200

// focusList gives the hits the keyboard, when there are any, with the
// first one highlighted; while a newer search is in flight it waits for
// its answer (Enter typed right after the words opened the first row of
// the earlier search). Fyne's list keeps its highlight where the arrows
// left it in an earlier search (even past the end of this one), and moves
// it only by a key: as many Ups as a list can have rows bring it to the
// top, a step each, and stop there.
func (l *Library) focusList() {
	l.mu.Lock()
	pending := l.shown != l.seq
	l.toList = pending
	l.mu.Unlock()
	if pending || l.length() == 0 {
		return
	}
	for range maxHits {
		l.list.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(l.list); c != nil {
		c.Focus(l.list)
	}
}

// Object is the view's content.
func (l *Library) Object() fyne.CanvasObject { return l.content }

func (l *Library) length() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hits)
}

func (l *Library) newRow() fyne.CanvasObject {
	check := widget.NewCheck("", nil)
	prompt := widget.NewLabel("")
	prompt.Truncation = fyne.TextTruncateEllipsis // a long prompt must not widen the window
	// Badges in the text colour, smaller and in italics: a low-importance
	// label's grey is unreadable on the dark theme and on a selected row.
	badges := widget.NewLabel("")
	badges.SizeName = theme.SizeNameCaptionText
	badges.TextStyle = fyne.TextStyle{Italic: true}
	// Badges under the prompt, so they never compete with it for width.
	return container.NewBorder(nil, nil, check, nil, container.NewVBox(prompt, badges))
}

// updateRow shows a hit: a check box for bulk changes, the prompt, and
// status with badges on the right.
func (l *Library) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	l.mu.Lock()
	if id >= len(l.hits) {
		l.mu.Unlock()
		return
	}
	h := l.hits[id]
	regression := l.regressions[h.ID]
	checked := l.checked[h.ID]
	l.mu.Unlock()
	row := o.(*fyne.Container)
	lines, check := row.Objects[0].(*fyne.Container), row.Objects[1].(*widget.Check)
	prompt, badges := lines.Objects[0].(*widget.Label), lines.Objects[1].(*widget.Label)
	prompt.SetText(clip(h.Prompt, 90))
	check.OnChanged = nil
	check.SetChecked(checked)
	snippet := h.ID
	check.OnChanged = func(on bool) {
		l.mu.Lock()
		l.checked[snippet] = on
		l.mu.Unlock()
	}
	b := []string{string(h.Status)}
	if regression {
		b = append(b, "regression")
	}
	if h.Duplicates > 0 {
		b = append(b, fmt.Sprintf("duplicate ×%d", h.Duplicates))
	}
	if h.Split != "" {
		b = append(b, string(h.Split))
	}
	badges.SetText(strings.Join(b, " · "))
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// query is the search the controls describe.
func (l *Library) query() dataset.Query {
	q := dataset.Query{Text: l.search.Text, Limit: maxHits}
	if s := l.status.Selected; s != "" && s != anyStatus {
		q.Filter.Status = []dataset.Status{dataset.Status(s)}
	}
	if s := l.split.Selected; s != "" && s != anySplit {
		q.Filter.Split = dataset.Split(s)
	}
	if t := strings.TrimSpace(l.tag.Text); t != "" {
		q.Filter.Tags = []string{t}
	}
	q.Filter.Source = strings.TrimSpace(l.source.Text)
	return q
}

// Refresh runs the search in the background; a newer search wins.
func (l *Library) Refresh() {
	q := l.query()
	l.mu.Lock()
	l.seq++
	seq := l.seq
	l.mu.Unlock()
	l.searchDone.Add(1)
	go func() {
		defer l.searchDone.Done()
		ctx := context.Background()
		hits, err := l.store.Search(ctx, q)
		var total int
		if err == nil {
			total, err = l.store.Count(ctx, q)
		}
		var regressions map[int64]bool
		if err == nil {
			ids := make([]int64, len(hits))
			for i, h := range hits {
				ids[i] = h.ID
			}
			regressions, err = l.store.WithRegressions(ctx, ids)
		}
		onUI(func() {
			l.mu.Lock()
			stale := seq != l.seq
			if !stale && err == nil {
				l.hits, l.regressions, l.cursor = hits, regressions, -1
			}
			if !stale {
				l.shown = seq
			}
			toList := !stale && l.toList
			l.toList = l.toList && stale
			l.mu.Unlock()
			if stale {
				return
			}
			if err != nil {
				l.count.SetText("Search failed: " + err.Error())
				return
			}
			l.list.UnselectAll()
			l.list.Refresh()
			if len(hits) < total {
				l.count.SetText(fmt.Sprintf("%s (showing the best %d)", countText(total), len(hits)))
			} else {
				l.count.SetText(countText(total))
			}
			if toList {
				l.focusList()
			}
		})
	}()
}

// WaitSearch blocks until searches in flight have answered (for tests).
func (l *Library) WaitSearch() { l.searchDone.Wait() }

// Select moves the cursor to row i (the list's selection).
func (l *Library) Select(i widget.ListItemID) { l.list.Select(i) }

func (l *Library) current() (dataset.Hit, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cursor < 0 || l.cursor >= len(l.hits) {
		return dataset.Hit{}, false
	}
	return l.hits[l.cursor], true
}

// OpenSelected opens the selected snippet in the editor.
func (l *Library) OpenSelected() {
	h, ok := l.current()
	if !ok {
		l.message.SetText("Select a snippet first.")
		return
	}
	if l.OnOpen != nil {
		l.OnOpen(h.Snippet)
	}
}

// checkedIDs are the snippets ticked for a bulk change among those listed,
// and how many ticked ones the current search hides: a bulk change acts
// on what the person sees (audit 23: a search hid four ticked rows, and
// Set changed them too).
func (l *Library) checkedIDs() (ids []int64, hidden int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	listed := make(map[int64]bool, len(l.hits))
	for _, h := range l.hits {
		listed[h.ID] = true
	}
	for id, on := range l.checked {
		switch {
		case on && listed[id]:
			ids = append(ids, id)
		case on:
			hidden++
		}
	}
	slices.Sort(ids)
	return ids, hidden
}

// hiddenNote says that ticked snippets the search hides were left alone.
func hiddenNote(hidden int) string {
	if hidden == 0 {
		return ""
	}
	return " " + english.Count(hidden, "ticked snippet the search does not list was left as it was.", "ticked snippets the search does not list were left as they were.")
}

// ApplyStatus sets the chosen status on every checked snippet (each
// change kept in the snippet's history).
func (l *Library) ApplyStatus() {
	st := dataset.Status(l.bulkStatus.Selected)
	ids, hidden := l.checkedIDs()
	if st == "" || len(ids) == 0 {
		l.message.SetText("Tick listed snippets and choose a status first." + hiddenNote(hidden))
		return
	}
	ctx := context.Background()
	for _, id := range ids {
		if _, err := l.store.SetStatus(ctx, id, st); err != nil {
			l.message.SetText(fmt.Sprintf("Snippet %d: %v", id, err))
			return
		}
	}
	l.message.SetText(fmt.Sprintf("%s set to %s.", countText(len(ids)), st) + hiddenNote(hidden))
	l.Refresh()
}

// ApplyTag adds the typed tag to every checked snippet.
func (l *Library) ApplyTag() {
	tag := strings.TrimSpace(l.bulkTag.Text)
	ids, hidden := l.checkedIDs()
	if tag == "" || len(ids) == 0 {
		l.message.SetText("Tick listed snippets and type a tag first." + hiddenNote(hidden))
		return
	}
	ctx := context.Background()
	for _, id := range ids {
		s, err := l.store.Snippet(ctx, id)
		if err == nil {
			s.Tags = append(s.Tags, tag)
			_, err = l.store.UpdateSnippet(ctx, s)
		}
		if err != nil {
			l.message.SetText(fmt.Sprintf("Snippet %d: %v", id, err))
			return
		}
	}
	l.message.SetText(fmt.Sprintf("Tagged %s %q.", countText(len(ids)), tag) + hiddenNote(hidden))
	l.Refresh()
}

// ShowHistory lists the selected snippet's versions, the current one
// first; an earlier one can be restored (which is itself a new version:
// nothing is lost).
func (l *Library) ShowHistory() {
	h, ok := l.current()
	if !ok || l.win == nil {
		l.message.SetText("Select a snippet first.")
		return
	}
	var keys escKeys
	hv, err := l.newHistory(h.ID, &keys)
	if err != nil {
		l.message.SetText(err.Error())
		return
	}
	d := dialog.NewCustomWithoutButtons(fmt.Sprintf("History of snippet %d", h.ID), container.NewGridWrap(sizedTo(l.win.Canvas().Size(), fyne.NewSize(720, 420), fyne.NewSize(1000, 640)), hv.content), l.win)
	hv.done = d.Hide
	d.SetButtons([]fyne.CanvasObject{newFormButton(&keys, "Close", d.Hide)})
	keys.bind(l.win.Canvas(), d)
	d.Show()
	l.win.Canvas().Focus(hv.list)
}

// historyView is the history dialog's content: the versions (current
// first), the chosen one's code, and Restore, enabled only on an earlier
// version.
type historyView struct {
	id       int64
	versions []dataset.Version // [0] is the current state
	list     *formList
	note     *widget.Label
	code     *widget.Label
	// changes shows, for an earlier version, what restoring it changes
	// (a diff from the current version) instead of its whole text.
	changes *formCheck
	restore *formButton
	chosen  int
	content fyne.CanvasObject
	done    func() // closes the dialog after a restore
}

// newHistory builds the history of snippet id; keys sends Escape to the
// dialog it is shown in.
func (l *Library) newHistory(id int64, keys *escKeys) (*historyView, error) {
	ctx := context.Background()
	cur, err := l.store.Snippet(ctx, id)
	if err != nil {
		return nil, err
	}
	earlier, err := l.store.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	hv := &historyView{id: id, chosen: -1}
	hv.versions = append([]dataset.Version{{SnippetID: id, Version: cur.Version, Prompt: cur.Prompt, Code: cur.Code,
		TreeHash: cur.TreeHash, Status: cur.Status, Split: cur.Split, Tags: cur.Tags, Notes: cur.Notes, Saved: cur.Updated}}, earlier...)
	hv.note = widget.NewLabel("")
	hv.note.Wrapping = fyne.TextWrapWord
	if len(earlier) == 0 {
		hv.note.SetText(fmt.Sprintf("Version %d is the only version: the snippet has not been edited since it was saved. Each save keeps the version it replaces here.", cur.Version))
	} else {
		hv.note.SetText(fmt.Sprintf("Version %d is current. Choose an earlier version to see what restoring it changes (or its whole text); restoring saves it as a new version, so nothing is lost.", cur.Version))
	}
	hv.code = widget.NewLabel("")
	hv.code.TextStyle = fyne.TextStyle{Monospace: true}
	hv.code.Selectable = true
	hv.list = newFormList(keys, func() int { return len(hv.versions) }, truncatedLabel,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			v := hv.versions[i]
			text := fmt.Sprintf("v%d %s %s", v.Version, v.Status, clip(v.Prompt, 40))
			if i == 0 {
				text = fmt.Sprintf("v%d (current) %s %s", v.Version, v.Status, clip(v.Prompt, 40))
			}
			o.(*widget.Label).SetText(text)
		})
	hv.restore = newFormButton(keys, "Restore this version", func() { l.restoreVersion(hv) })
	hv.changes = newFormCheck(keys, "Show what restoring it changes", func(bool) { hv.show() })
	hv.changes.Checked = true
	hv.list.OnSelected = focusOnSelect(hv.list, func(i widget.ListItemID) {
		hv.chosen = i
		hv.show()
		if i == 0 {
			hv.restore.Disable() // it is the current version already
		} else {
			hv.restore.Enable()
		}
	})
	hv.restore.Disable()
	hv.list.Select(0)
	split := container.NewHSplit(hv.list, container.NewScroll(hv.code))
	split.SetOffset(0.4)
	hv.content = container.NewBorder(hv.note, container.NewVBox(hv.changes, hv.restore), nil, nil, split)
	return hv, nil
}

// show puts the chosen version in the code pane: its text, or what
// restoring it would change in the current version (prompt, then a
// unified diff of the trees).
func (hv *historyView) show() {
	if hv.chosen < 0 {
		return
	}
	v := hv.versions[hv.chosen]
	if hv.chosen == 0 || !hv.changes.Checked {
		hv.code.SetText(v.Code)
		return
	}
	cur := hv.versions[0]
	var b strings.Builder
	// Restoring brings back the whole version: its status, split, tags
	// and notes too (the tree alike, a status was the change unsaid).
	orNone := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	for _, f := range []struct{ name, now, then string }{
		{"Prompt", cur.Prompt, v.Prompt},
		{"Status", string(cur.Status), string(v.Status)},
		{"Split", orNone(string(cur.Split)), orNone(string(v.Split))},
		{"Tags", orNone(strings.Join(cur.Tags, ", ")), orNone(strings.Join(v.Tags, ", "))},
		{"Notes", orNone(clip(promptLine(cur.Notes), 200)), orNone(clip(promptLine(v.Notes), 200))},
	} {
		if f.now != f.then {
			then := fmt.Sprintf("%s of v%d:", f.name, v.Version)
			fmt.Fprintf(&b, "%-*s %s\n%s %s\n\n", len(then), f.name+" now:", f.now, then, f.then)
		}
	}
	if d := textdiff.Unified(fmt.Sprintf("v%d (current)", cur.Version), fmt.Sprintf("v%d", v.Version), cur.Code, v.Code); d != "" {
		b.WriteString(d)
	} else {
		fmt.Fprintf(&b, "The tree of v%d is the current tree.\n", v.Version)
	}
	hv.code.SetText(b.String())
}

// restoreVersion makes the chosen earlier version current again. The
// history closes first, so that a question from BeforeRestore shows on
// its own.
func (l *Library) restoreVersion(hv *historyView) {
	if hv.chosen <= 0 {
		return
	}
	id, v := hv.id, hv.versions[hv.chosen].Version
	if hv.done != nil {
		hv.done()
	}
	restore := func() {
		sn, err := l.store.RestoreVersion(context.Background(), id, v)
		if err != nil {
			l.message.SetText(err.Error())
			return
		}
		l.message.SetText(fmt.Sprintf("Snippet %d restored to version %d (saved as version %d).", id, v, sn.Version) + watchedFileNote(l.store, sn))
		l.Refresh()
		if l.OnRestored != nil {
			l.OnRestored(sn)
		}
	}
	if l.BeforeRestore != nil {
		l.BeforeRestore(id, v, restore)
		return
	}
	restore()
}

// watchedFileNote is what a person saving or restoring sn should know
// when it comes from a file in a watched folder: the change goes to the
// library, not to the file, and the next edit of the file replaces it
// (History keeps it). Empty otherwise.
func watchedFileNote(store *dataset.Store, sn dataset.Snippet) string {
	if sn.Source == "" || !filepath.IsAbs(sn.Source) {
		return ""
	}
	folders, err := store.WatchedFolders(context.Background())
	if err != nil {
		return ""
	}
	for _, f := range folders {
		// Both are absolute and cleaned (AddWatchedFolder and the
		// import store them so).
		if strings.HasPrefix(sn.Source, f.Path+string(filepath.Separator)) {
			return fmt.Sprintf(" Its file %s in the watched folder is not changed: an edit of the file replaces this version (History keeps it); File > Save .hl… writes the tree to a file.", sn.Source)
		}
	}
	return ""
}

// SelectSnippet moves the cursor to the row of snippet id; none is
// selected when it is not listed (or id is 0).
func (l *Library) SelectSnippet(id int64) {
	row := -1
	l.mu.Lock()
	for i, h := range l.hits {
		if id != 0 && h.ID == id {
			row = i
			break
		}
	}
	if row < 0 {
		l.cursor = -1
	}
	l.mu.Unlock()
	if row < 0 {
		l.list.UnselectAll()
		return
	}
	l.list.Select(row)
}

func (l *Library) chooseImport() {
	if l.win == nil {
		return
	}
	showFolderOpen(l.lastFolder, func(dir fyne.ListableURI, err error) {
		if err == nil && dir != nil {
			l.lastFolder = dir.Path()
			l.Import(dir.Path())
		}
	}, l.win)
}

// Import reads a training folder in the background with a progress bar
// and a Stop button; a file that fails is reported, the rest imported.
func (l *Library) Import(path string) {
	ctx, ended, ok := l.importing.begin()
	if !ok {
		return
	}
	l.importBar.SetValue(0)
	l.importBar.Show()
	l.importStop.Show()
	l.message.SetText("Importing " + path + "…")
	go func() {
		defer ended()
		rep, err := l.store.Import(ctx, []string{path}, dataset.ImportOptions{Progress: func(p dataset.Progress) {
			if p.Total > 0 {
				v := float64(p.Done) / float64(p.Total)
				onUI(func() { l.importBar.SetValue(v) })
			}
		}})
		onUI(func() {
			l.importing.finish()
			l.importBar.Hide()
			l.importStop.Hide()
			text := reportText(rep)
			if err != nil {
				text = err.Error() + "\n" + text
			}
			l.message.SetText(text)
			l.Refresh()
			l.changedOutside()
		})
	}()
}

func (l *Library) changedOutside() {
	if l.OnChangedOutside != nil {
		l.OnChangedOutside()
	}
}

// countText is "1 snippet" or "N snippets".
func countText(n int) string { return english.Count(n, "snippet", "snippets") }

// reportText is what an import or a round of a watched folder did, with
// the first files that failed and why: "2 failed" alone leaves the
// curator to guess which.
func reportText(rep dataset.ImportReport) string {
	text := rep.String()
	for i, fe := range rep.Errors {
		if i == 5 {
			text += fmt.Sprintf("\n… and %d more", len(rep.Errors)-5)
			break
		}
		text += "\n" + fe.Error()
	}
	return text
}

// StopImport cancels the import in progress; what is committed stays.
func (l *Library) StopImport() { l.importing.Cancel() }

// WaitImport blocks until the import in progress has finished.
func (l *Library) WaitImport() { l.importing.Wait() }

func (l *Library) chooseWatch() {
	if l.win == nil {
		return
	}
	showFolderOpen(l.lastFolder, func(dir fyne.ListableURI, err error) {
		if err == nil && dir != nil {
			if err := l.WatchFolder(dir.Path()); err != nil {
				l.message.SetText(err.Error())
			}
		}
	}, l.win)
}

// WatchFolder watches path now and on the next starts, picked or typed
// (File > Open a path…); the folder pickers start there next.
func (l *Library) WatchFolder(path string) error {
	l.lastFolder = path
	return l.Watch(path, true)
}

// Watch keeps the library in step with a folder of .hl files: creating,
// changing or deleting a file updates the store within a second.
// register keeps the folder watched on the next starts too.
func (l *Library) Watch(path string, register bool) error {
	ctx := context.Background()
	path = watchKey(path)
	if register {
		if err := l.store.AddWatchedFolder(ctx, path, ""); err != nil {
			return err
		}
	}
	w, err := l.store.Watch(ctx, path, dataset.ImportOptions{}, func(rep dataset.WatchReport) {
		text := "Watched " + path + ": " + reportText(rep.ImportReport)
		if rep.Err != nil {
			text = "Watching " + path + ": " + rep.Err.Error()
		}
		onUI(func() {
			l.message.SetText(text)
			l.Refresh()
			l.changedOutside()
		})
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	if l.watchers == nil {
		l.watchers = map[string]*dataset.Watcher{}
	}
	if old := l.watchers[path]; old != nil {
		old.Close()
	}
	l.watchers[path] = w
	l.mu.Unlock()
	l.message.SetText("Watching " + path + " for changes (Library > Watched folders… lists them).")
	return nil
}

// watchKey is how a watched folder is known, however it was named:
// absolute, as the store keeps it, so Unwatch finds Watch's watcher.
func watchKey(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// Unwatch stops following path and forgets it for the next starts; the
// snippets it brought stay in the library.
func (l *Library) Unwatch(path string) error {
	path = watchKey(path)
	if err := l.store.RemoveWatchedFolder(context.Background(), path); err != nil {
		return err
	}
	l.mu.Lock()
	w := l.watchers[path]
	delete(l.watchers, path)
	l.mu.Unlock()
	if w != nil {
		w.Close()
	}
	l.message.SetText("No longer watching " + path + "; its snippets stay in the library.")
	return nil
}

// ShowWatched lists the watched folders, where one can be stopped.
func (l *Library) ShowWatched() {
	if l.win == nil {
		return
	}
	folders, err := l.store.WatchedFolders(context.Background())
	if err != nil {
		l.message.SetText(err.Error())
		return
	}
	if len(folders) == 0 {
		l.message.SetText("No folder is watched: Watch… picks one.")
		return
	}
	var keys escKeys
	chosen := -1
	list := newFormList(&keys, func() int { return len(folders) }, truncatedLabel,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(fmt.Sprintf("%s (since %s)", folders[i].Path, folders[i].Added.Local().Format("2006-01-02 15:04")))
		})
	note := widget.NewLabel("Files created, changed or deleted in these folders reach the library within a second, now and on the next starts. Stopping keeps the snippets they brought.")
	note.Wrapping = fyne.TextWrapWord
	size := sizedTo(l.win.Canvas().Size(), fyne.NewSize(560, 300), fyne.NewSize(900, 480))
	d := dialog.NewCustomWithoutButtons("Watched folders", container.NewGridWrap(size, container.NewBorder(note, nil, nil, nil, list)), l.win)
	stop := newFormButton(&keys, "Stop watching", func() {
		if chosen < 0 {
			return
		}
		if err := l.Unwatch(folders[chosen].Path); err != nil {
			l.message.SetText(err.Error())
		}
		d.Hide()
	})
	stop.Disable()
	list.OnSelected = focusOnSelect(list, func(i widget.ListItemID) {
		chosen = i
		stop.Enable()
	})
	d.SetButtons([]fyne.CanvasObject{newFormButton(&keys, "Close", d.Hide), stop})
	keys.bind(l.win.Canvas(), d)
	d.Show()
	l.win.Canvas().Focus(list)
}

// WatchRegistered resumes the folders registered for watching.
func (l *Library) WatchRegistered() {
	folders, err := l.store.WatchedFolders(context.Background())
	if err != nil {
		l.message.SetText(err.Error())
		return
	}
	for _, f := range folders {
		if err := l.Watch(f.Path, false); err != nil {
			l.message.SetText(fmt.Sprintf("%s is no longer watched: %v", f.Path, err))
		}
	}
}

// Close stops the watches and waits for the searches in flight: the
// store may close next.
func (l *Library) Close() {
	l.mu.Lock()
	ws := l.watchers
	l.watchers = nil
	l.mu.Unlock()
	for _, w := range ws {
		w.Close()
	}
	l.WaitSearch()
}
