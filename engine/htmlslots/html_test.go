package htmlslots

import (
	"strings"
	"testing"
)

// Markdig's heading ids, from its LinkHelper.Urilize rules.
func TestUrilize(t *testing.T) {
	for in, want := range map[string]string{
		"Getting started":    "getting-started",
		"Café & Crème 2.0":   "cafe-creme-2.0",
		"Straße":             "strasse",
		"1. Introduction":    "introduction", // nothing before the first letter
		"Hello   world":      "hello-world",
		"a - b":              "a-b", // the space before a reserved character is dropped
		"a_ _b":              "a_b", // a repeated reserved character is written once
		"What's new?":        "whats-new",
		"trailing...":        "trailing",
		"日本語":                "", // no ASCII letter: "section" is the caller's
		"Version 2.0 (beta)": "version-2.0-beta",
		"x.y.z":              "x.y.z",
	} {
		if got := urilize(in); got != want {
			t.Errorf("urilize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitFrontMatter(t *testing.T) {
	for _, c := range []struct{ in, front, body string }{
		{"---\na: 1\n---\n# T\n", "a: 1\n", "# T\n"},
		{"---  \na: 1\n...\nbody", "a: 1\n", "body"},
		{"---\na: 1\n---", "a: 1\n", ""},
		{"---\nnot closed\n", "", "---\nnot closed\n"},
		{"# T\n---\na\n---\n", "", "# T\n---\na\n---\n"},
		{"---", "", "---"},
	} {
		front, body := splitFrontMatter(c.in)
		if front != c.front || body != c.body {
			t.Errorf("splitFrontMatter(%q) = %q, %q; want %q, %q", c.in, front, body, c.front, c.body)
		}
	}
}

func TestContainerDepth(t *testing.T) {
	for in, want := range map[string]int{
		"plain":             0,
		"> quote":           1,
		"> > > x":           3,
		">>>x":              3,
		"- item":            1,
		"  * - + x":         3,
		"1. one":            1,
		"12) > - x":         3,
		"1234567890. x":     0, // ten digits are no list marker
		"-no space":         0,
		"*emphasis*":        0,
		"    indented code": 0,
	} {
		if got := containerDepth(in); got != want {
			t.Errorf("containerDepth(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestDelimiterCells(t *testing.T) {
	for in, want := range map[string]int{
		"|---|:--:|---:|": 3,
		"--- | ---":       2,
		"| - |":           1,
		"---":             1,
		"| a | b |":       0,
		"text":            0,
		"|:|":             0,
	} {
		if got := delimiterCells(in); got != want {
			t.Errorf("delimiterCells(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestPrecheckMarkdownTable(t *testing.T) {
	wide := strings.Repeat("|a", 100) + "|\n" + strings.Repeat("|-", 100) + "|\n" + strings.Repeat("|x\n", 100)
	if err := precheckMarkdown(wide, 256, 1000); err == nil {
		t.Error("a 100x100 table passed a 1000 byte budget")
	}
	if err := precheckMarkdown(wide, 256, 1<<20); err != nil {
		t.Errorf("a 100x100 table failed a 1 MiB budget: %v", err)
	}
	// A delimiter-like line without a header line above is no table.
	if err := precheckMarkdown("\n"+strings.Repeat("-|", 100)+"\n"+strings.Repeat("x\n", 100), 256, 1000); err != nil {
		t.Errorf("no table, yet refused: %v", err)
	}
}

func TestResolveURL(t *testing.T) {
	for _, c := range []struct{ raw, base, want string }{
		{"https://x.com/a", "https://b.com/", "https://x.com/a"},
		{"mailto:a@b.c", "https://b.com/", "mailto:a@b.c"},
		{"page.html", "https://b.com/dir/index.html", "https://b.com/dir/page.html"},
		{"/root", "https://b.com/dir/", "https://b.com/root"},
		{"../up", "https://b.com/a/b/", "https://b.com/a/up"},
		{"//cdn.com/x", "http://b.com/", "http://cdn.com/x"},
		{"//cdn.com/x", "", "https://cdn.com/x"},
		{"rel/a b", "", "rel/a%20b"},
		{"rel", "not a base", "rel"},
	} {
		if got := resolveURL(c.raw, c.base); got != c.want {
			t.Errorf("resolveURL(%q, %q) = %q, want %q", c.raw, c.base, got, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, ok := range []string{"div", "h1", "my-widget", "svg:rect", "DIV"} {
		if !isElementName(ok) {
			t.Errorf("isElementName(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "1a", "#text", "a b", "a>", "a/b", "-x", "é"} {
		if isElementName(bad) {
			t.Errorf("isElementName(%q) = true", bad)
		}
	}
	for _, ok := range []string{"class", "data-x", "aria-label", "@click", ":href", "x.y"} {
		if !isAttributeName(ok) {
			t.Errorf("isAttributeName(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "a b", "a=b", `a"`, "a'", "a>", "a/", "a\tb", "a\x00"} {
		if isAttributeName(bad) {
			t.Errorf("isAttributeName(%q) = true", bad)
		}
	}
}

func TestMediaHTML(t *testing.T) {
	for _, c := range []struct{ dest, want string }{
		{"https://www.youtube.com/embed/abc?start=1&rel=0", `<iframe src="https://www.youtube.com/embed/abc?start=1&amp;rel=0" class="youtube"`},
		{"https://youtu.be/abc?t=5", `<iframe src="https://www.youtube.com/embed/abc?start=5" class="youtube"`},
		{"https://vimeo.com/123", `<iframe src="https://player.vimeo.com/video/123" class="vimeo"`},
		{"/media/song.MP3", `<audio width="500" height="281" controls=""><source type="audio/mpeg" src="/media/song.MP3"></source></audio>`},
		{"javascript:alert(1)//x.mp4", ""},
		{"https://www.youtube.com/channel/x", ""},
		{"picture.png", ""},
	} {
		got, ok := mediaHTML(c.dest)
		if (c.want == "") == ok || !strings.HasPrefix(got, c.want) {
			t.Errorf("mediaHTML(%q) = %q, %v; want prefix %q", c.dest, got, ok, c.want)
		}
	}
}
