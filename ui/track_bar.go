package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TrackBar is a progress bar whose empty part reads as empty. Fyne's own
// paints the whole track in the primary colour at half opacity, so at 0%
// a bar on the dark theme looks full. Here the track is an input field's
// background and border, the done part the primary colour, and the
// percentage is in the text colour until the done part reaches it.
type TrackBar struct{ widget.ProgressBar }

// NewTrackBar makes a bar from 0 to 1.
func NewTrackBar() *TrackBar {
	b := &TrackBar{}
	b.Max = 1
	b.ExtendBaseWidget(b)
	return b
}

// CreateRenderer recolours the progress bar's renderer.
func (b *TrackBar) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	r := &trackRenderer{WidgetRenderer: b.ProgressBar.CreateRenderer(), bar: b}
	r.recolour()
	return r
}

type trackRenderer struct {
	fyne.WidgetRenderer
	bar *TrackBar
}

func (r *trackRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.recolour()
}

// recolour paints the track and the percentage after the progress bar
// painted them its way (its objects: track, done part, percentage).
func (r *trackRenderer) recolour() {
	objs := r.Objects()
	if len(objs) != 3 {
		return
	}
	track, ok := objs[0].(*canvas.Rectangle)
	label, ok2 := objs[2].(*canvas.Text)
	if !ok || !ok2 {
		return
	}
	th := r.bar.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	track.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	track.StrokeWidth = th.Size(theme.SizeNameInputBorder)
	b := &r.bar.ProgressBar
	if span := b.Max - b.Min; span <= 0 || (b.Value-b.Min)/span < 0.5 {
		label.Color = th.Color(theme.ColorNameForeground, v)
	}
	track.Refresh()
	label.Refresh()
}
