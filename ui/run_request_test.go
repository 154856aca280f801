package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hlstudio/engine/endpoint"
	"hlstudio/engine/vocab"
)

const requestProgram = `.r
set-value:x:@.r
   strings.concat
      request.verb
      .:" "
      request.url
      .:" "
      request.ip
      .:" "
      request.headers.get:X-Trace
      .:" "
      request.cookies.get:session
return:x:@.r
`

// The request a run answers is the form's: request.* slots read its
// verb, URL, address, headers and cookies; the section's title shows the
// verb and URL while closed; a bad line or field keeps the tree from
// running and says which; the recorded run keeps the request.
func TestRunPanelRequest(t *testing.T) {
	test.NewTempApp(t)
	store := tempStore(t)
	doc := mustDoc(t, requestProgram, "sandbox")
	p := NewRunPanel(doc, vocab.New(), DatasetRuns{Store: store})
	w := test.NewTempWindow(t, p.Object())
	w.Resize(w.Canvas().Size().Max(w.Content().MinSize()))
	f := p.request
	if f.item.Title != "Request: GET http://localhost/" || f.item.Open {
		t.Fatalf("title %q, open %v: want the default request, closed", f.item.Title, f.item.Open)
	}
	if p.run.Disabled() {
		t.Fatalf("default request refused: %s", p.status.Text)
	}

	f.verb.SetSelected("post")
	f.url.SetText("https://example.com/magic/todo?x=1")
	if f.item.Title != "Request: POST https://example.com/magic/todo?x=1" {
		t.Errorf("title not following the fields: %q", f.item.Title)
	}
	f.ip.SetText("10.1.2.3")
	test.Type(f.headers, "X-Trace: abc 123\n\nAccept: text/plain")
	f.cookies.SetText("session=s1\n")

	// Bad lines and fields block the run and say where.
	for _, c := range []struct {
		set  func()
		want string
	}{
		{func() { f.headers.SetText("X-Trace abc") }, "Headers, line 1: want Name: value"},
		{func() { f.cookies.SetText("\nsession") }, "Cookies, line 2: want name=value"},
		{func() { f.url.SetText("example.com") }, "an absolute http or https URL"},
		{func() { f.ip.SetText("localhost") }, "is not an IP address"},
	} {
		h, ck, u, ip := f.headers.Text, f.cookies.Text, f.url.Text, f.ip.Text
		c.set()
		if !p.run.Disabled() || !strings.Contains(p.status.Text, c.want) || !strings.Contains(f.err.Text, c.want) || !f.err.Visible() {
			t.Errorf("want %q: disabled %v, status %q, field note %q", c.want, p.run.Disabled(), p.status.Text, f.err.Text)
		}
		f.headers.SetText(h)
		f.cookies.SetText(ck)
		f.url.SetText(u)
		f.ip.SetText(ip)
	}
	if p.run.Disabled() || f.err.Visible() {
		t.Fatalf("fixed request still refused: %s / %s", p.status.Text, f.err.Text)
	}

	test.Tap(p.run)
	p.Wait()
	want := "post magic/todo 10.1.2.3 abc 123 s1" // request.url: the path, as the reference
	waitFor(t, func() bool { return p.value.Text == want }, func() string { return p.value.Text + " / " + p.status.Text })
	runs, err := store.Runs(context.Background(), "", 10)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	var got endpoint.Request
	if err := json.Unmarshal([]byte(runs[0].Request), &got); err != nil {
		t.Fatalf("recorded request %q: %v", runs[0].Request, err)
	}
	if got.Verb != "post" || got.IP != "10.1.2.3" || len(got.Headers) != 2 || got.Headers[1] != [2]string{"Accept", "text/plain"} || len(got.Cookies) != 1 {
		t.Errorf("recorded request %+v", got)
	}
}
