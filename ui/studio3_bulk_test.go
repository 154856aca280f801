package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
)

// Audit 23: ticks survive a new search. A person ticks two rows, searches
// for one of them (the other row is no longer listed, nothing says it is
// still ticked), sets "rejected" and presses Set: the hidden snippet is
// rejected too. A bulk change must act on the ticked rows the person can
// see (or say how many hidden ones it includes).
func TestBulkStatusSkipsHiddenTickedRows(t *testing.T) {
	s, store, _ := newTestStudio(t)
	l := s.Library
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 5 }, func() string { return l.count.Text })
	// Tick every listed row, as a person clicking the boxes.
	var ids []int64
	l.mu.Lock()
	for _, h := range l.hits {
		ids = append(ids, h.ID)
	}
	l.mu.Unlock()
	// Tick every listed row: what each row's check box does when clicked
	// (updateRow's OnChanged).
	l.mu.Lock()
	for _, id := range ids {
		l.checked[id] = true
	}
	l.mu.Unlock()
	test.Type(l.search, "sum")
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 1 }, func() string { return l.count.Text })
	l.mu.Lock()
	shown := l.hits[0].ID
	l.mu.Unlock()

	l.bulkStatus.SetSelected(string(dataset.StatusRejected))
	l.ApplyStatus()
	for _, id := range ids {
		sn, err := store.Snippet(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if id != shown && sn.Status == dataset.StatusRejected {
			t.Errorf("snippet %d, not listed by the search %q, was set to rejected (message %q)", id, "sum", l.message.Text)
		}
	}
}
