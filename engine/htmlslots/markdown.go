package htmlslots

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// maxMarkdownBytes bounds markdown2html's input: goldmark has inputs
// that take quadratic time ("[[[[...", thousands of link definitions)
// and its parse cannot be stopped, so a run's time budget ends the wait
// but not the work; this keeps that work to seconds.
const maxMarkdownBytes = 128 << 10

func markdown2html(r *engine.Run, n *hyperlambda.Node) error {
	src, err := engine.TextValue(n, "Markdown")
	if err != nil {
		return err
	}
	if len(src) > maxMarkdownBytes {
		return fmt.Errorf("Markdown of %d bytes is over the %d bytes markdown2html converts", len(src), maxMarkdownBytes)
	}
	// Charged as HTML is: a loop of conversions ends at the step budget.
	if err := r.Charge(1 + int64(len(src))/bytesPerStep); err != nil {
		return err
	}
	media, err := mediaOption(r, n)
	if err != nil {
		return err
	}
	// The reference renders with "\r\n" line ends; goldmark writes "\n",
	// so the input is read with "\n" and the output converted once.
	src = strings.ReplaceAll(src, "\r\n", "\n")
	front, body := splitFrontMatter(src)
	budgets := r.Policy().Budgets
	if err := precheckMarkdown(body, budgets.Depth, budgets.OutputBytes); err != nil {
		return err
	}
	result, err := offThread(r, func() (string, error) {
		return renderMarkdown([]byte(body), media, budgets.Depth, budgets.OutputBytes)
	})
	if err != nil {
		return err
	}
	if err := r.Output(len(result)); err != nil {
		return err
	}
	n.Clear()
	n.Value = result
	if strings.TrimSpace(front) == "" {
		return nil
	}
	// Front matter is YAML, read by yaml2lambda as the reference does, so
	// its nodes are what that slot makes (and count where it counts).
	if err := r.Created(1); err != nil {
		return err
	}
	// Under n while it runs, so a refusal or error names a path of the
	// run's tree (n's child), not a detached node's "/".
	yaml := hyperlambda.New("yaml2lambda", front)
	n.Add(yaml)
	err = r.Signal("yaml2lambda", yaml)
	yaml.Detach()
	if err != nil {
		return fmt.Errorf("front matter: %w", err)
	}
	n.MoveChildren(yaml)
	return nil
}

// precheckMarkdown refuses, from the text alone, the two shapes goldmark
// spends far more than linear time (and memory) on: a line opening
// hundreds of nested quotes or lists ("> > > > ..." or "* * * * ..."),
// and a table whose rows are all filled out to a very wide header (every
// missing cell is made). Neither is in a document a person writes.
func precheckMarkdown(src string, maxDepth int, maxOutput int64) error {
	lines := strings.Split(src, "\n")
	// rowsAfter[i]: the non-blank lines right after line i, counted from
	// the end so that many delimiter rows do not rescan the same lines.
	rowsAfter := make([]int, len(lines))
	for i := len(lines) - 2; i >= 0; i-- {
		if strings.TrimSpace(lines[i+1]) != "" {
			rowsAfter[i] = rowsAfter[i+1] + 1
		}
	}
	cells := 0
	for i, line := range lines {
		if d := containerDepth(line); d > maxDepth {
			return fmt.Errorf("Markdown nested deeper than %d (the depth budget) on line %d", maxDepth, i+1)
		}
		if cols := delimiterCells(line); cols > 0 && i > 0 && strings.Contains(lines[i-1], "|") {
			cells += cols * (rowsAfter[i] + 1)
			// "<td></td>" and a line end, at the least, per cell.
			if need := int64(cells) * 11; need > maxOutput {
				return &engine.BudgetError{Budget: "output-bytes", Limit: maxOutput, Used: need}
			}
		}
	}
	return nil
}

// containerDepth counts the block quote and list markers opening a line.
func containerDepth(line string) int {
	d, i := 0, 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return d
		}
		switch c := line[i]; {
		case c == '>':
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			i += 2
		case '0' <= c && c <= '9':
			k := i
			for k < len(line) && k-i < 9 && '0' <= line[k] && line[k] <= '9' {
				k++
			}
			if k+1 >= len(line) || (line[k] != '.' && line[k] != ')') || (line[k+1] != ' ' && line[k+1] != '\t') {
				return d
			}
			i = k + 2
		default:
			return d
		}
		d++
	}
}

// delimiterCells is the column count of a table delimiter row (| --- |
// :-: |), 0 for any other line.
func delimiterCells(line string) int {
	t := strings.TrimSpace(line)
	if !strings.Contains(t, "-") || strings.Trim(t, "|-: \t") != "" {
		return 0
	}
	t = strings.TrimSuffix(strings.TrimPrefix(t, "|"), "|")
	return strings.Count(t, "|") + 1
}

// renderMarkdown is the HTML of source, with "\r\n" line ends. It runs
// off the run's goroutine, so it reads budgets, not the run.
func renderMarkdown(source []byte, media bool, maxDepth int, maxOutput int64) (string, error) {
	md := newMarkdown(media)
	doc := md.Parser().Parse(text.NewReader(source))
	if err := checkMarkdownTree(doc, maxDepth); err != nil {
		return "", err
	}
	// Link destinations are written once per use: a long URL referenced
	// many times would multiply, so the sum is refused before rendering.
	if need := int64(len(source) + linkBytes(doc)); need > maxOutput {
		return "", &engine.BudgetError{Budget: "output-bytes", Limit: maxOutput, Used: need}
	}
	out := &cappedWriter{limit: int(min(maxOutput, int64(^uint(0)>>1)))}
	if err := md.Renderer().Render(out, source, doc); err != nil {
		if errors.Is(err, errOverCap) {
			return "", &engine.BudgetError{Budget: "output-bytes", Limit: maxOutput, Used: int64(out.buf.Len()) + 1}
		}
		return "", fmt.Errorf("rendering Markdown: %w", err)
	}
	return strings.ReplaceAll(out.buf.String(), "\n", "\r\n"), nil
}

// offThread runs fn on a goroutine of its own and waits for it, or for
// the end of the run's time budget (or a stop), whichever comes first: a
// converter that cannot be interrupted still cannot hold the run past its
// budget. fn must not touch the run.
func offThread[T any](r *engine.Run, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() {
			if p := recover(); p != nil {
				res.err = fmt.Errorf("converter failed: %v", p)
			}
			done <- res
		}()
		res.v, res.err = fn()
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-r.Context().Done():
		var zero T
		return zero, r.Interrupted()
	}
}

// mediaOption reads [media]: present and not false turns media links on
// (the reference only asks whether the child exists).
func mediaOption(r *engine.Run, n *hyperlambda.Node) (bool, error) {
	c, err := r.ArgNode(n, "media")
	if err != nil || c == nil {
		return false, err
	}
	if c.Value == nil {
		return true, nil
	}
	return r.FlagArg(n, "media", true)
}

// splitFrontMatter separates a leading YAML block (a first line "---",
// closed by a line "---" or "...") from the Markdown after it, as
// Markdig's front matter extension. Without a closing line there is no
// front matter: the text is all Markdown.
func splitFrontMatter(src string) (front, body string) {
	first, rest, ok := strings.Cut(src, "\n")
	if !ok || strings.TrimRight(first, " \t") != "---" {
		return "", src
	}
	for off := 0; off <= len(rest); {
		line, after, more := strings.Cut(rest[off:], "\n")
		if t := strings.TrimRight(line, " \t"); t == "---" || t == "..." {
			return rest[:off], after
		}
		if !more {
			break
		}
		off += len(line) + 1
	}
	return "", src
}

// newMarkdown is goldmark set up as close to the reference's Markdig
// pipeline (UseAdvancedExtensions) as goldmark goes: pipe tables,
// autolinks, strikethrough, task lists, footnotes, definition lists,
// {#id .class} heading attributes and Markdig's heading ids. Raw HTML is
// left out and javascript: links are not linked (goldmark's safe mode),
// where Markdig passes both through. A new instance per call keeps runs
// independent.
func newMarkdown(media bool) goldmark.Markdown {
	transformers := []util.PrioritizedValue{util.Prioritized(headingIDs{}, 100)}
	var renderOpts []goldmark.Option
	if media {
		transformers = append(transformers, util.Prioritized(mediaLinks{}, 200))
		renderOpts = append(renderOpts, goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(mediaRenderer{}, 100))))
	}
	opts := append([]goldmark.Option{
		goldmark.WithExtensions(extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignStyle)), extension.Strikethrough, extension.Linkify,
			extension.TaskList, extension.DefinitionList, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAttribute(), parser.WithASTTransformers(transformers...)),
		goldmark.WithRendererOptions(gmhtml.WithXHTML()),
	}, renderOpts...)
	return goldmark.New(opts...)
}

// errOverCap ends rendering once the text passes the output budget.
var errOverCap = errors.New("output over the budget")

// cappedWriter keeps at most limit bytes; past it every write fails, so
// the renderer's buffered writer stops copying.
type cappedWriter struct {
	buf   bytes.Buffer
	limit int
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.limit {
		return 0, errOverCap
	}
	return c.buf.Write(p)
}

// walk visits every node under root in document order without
// recursing, with its depth below root; visit returning false skips the
// node's children.
func walk(root ast.Node, visit func(n ast.Node, depth int) bool) {
	depth := 0
	n := root.FirstChild()
	for n != nil {
		if visit(n, depth+1) && n.FirstChild() != nil {
			n = n.FirstChild()
			depth++
			continue
		}
		for n != nil && n.NextSibling() == nil {
			n = n.Parent()
			depth--
			if n == root {
				return
			}
		}
		if n != nil {
			n = n.NextSibling()
		}
	}
}

// checkMarkdownTree refuses a document nested deeper than maxDepth
// (">>>>>>..." or lists in lists), before the renderer recurses into it.
func checkMarkdownTree(doc ast.Node, maxDepth int) error {
	deepest := 0
	walk(doc, func(_ ast.Node, depth int) bool {
		deepest = max(deepest, depth)
		return depth <= maxDepth
	})
	if deepest > maxDepth {
		return fmt.Errorf("Markdown nested deeper than %d (the depth budget)", maxDepth)
	}
	return nil
}

// linkBytes is the sum of every link and image destination and title.
func linkBytes(doc ast.Node) int {
	sum := 0
	walk(doc, func(n ast.Node, _ int) bool {
		switch x := n.(type) {
		case *ast.Link:
			sum += len(x.Destination) + len(x.Title)
		case *ast.Image:
			sum += len(x.Destination) + len(x.Title)
		}
		return true
	})
	return sum
}

// headingIDs gives every heading an id as Markdig's auto identifiers
// (AutoIdentifierOptions.Default): its plain text made into a URL part,
// "section" when nothing is left, "-1", "-2", ... after a repeated one.
// An id written as {#id} stays.
type headingIDs struct{}

func (headingIDs) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	used := map[string]bool{}
	walk(doc, func(n ast.Node, _ int) bool {
		h, ok := n.(*ast.Heading)
		if !ok {
			return true
		}
		if _, has := h.AttributeString("id"); has {
			return false
		}
		base := urilize(plainText(h, source))
		if base == "" {
			base = "section"
		}
		id := base
		for i := 1; used[id]; i++ {
			id = fmt.Sprintf("%s-%d", base, i)
		}
		used[id] = true
		h.SetAttributeString("id", []byte(id))
		return false
	})
}

// plainText is a heading's text without markup, as Markdig's id
// generator renders it: text, code and link text; no raw HTML.
func plainText(h ast.Node, source []byte) string {
	var b []byte
	walk(h, func(n ast.Node, _ int) bool {
		switch x := n.(type) {
		case *ast.Text:
			b = append(b, x.Segment.Value(source)...)
			if x.SoftLineBreak() || x.HardLineBreak() {
				b = append(b, ' ')
			}
		case *ast.String:
			b = append(b, x.Value...)
		case *ast.AutoLink:
			b = append(b, x.Label(source)...)
		case *ast.RawHTML:
			return false
		}
		return true
	})
	return html.UnescapeString(string(util.UnescapePunctuations(b)))
}

// urilize is Markdig's LinkHelper.Urilize with allowOnlyAscii: ASCII
// letters lowered (accented letters lose their accents), digits and
// "_-." after the first letter, a run of spaces one '-', trailing "_-."
// trimmed. Its quirks are kept, since links to the ids depend on them.
func urilize(s string) string {
	var b []rune
	hasLetter, prevSpace := false, false
	for _, orig := range s {
		for _, c := range toASCII(orig) {
			switch {
			case unicode.IsLetter(c):
				if c < ' ' || c >= 127 {
					continue
				}
				b = append(b, unicode.ToLower(c))
				hasLetter, prevSpace = true, false
			case !hasLetter:
			case c == '_' || c == '-' || c == '.':
				if prevSpace {
					b = b[:len(b)-1]
				}
				if len(b) == 0 || b[len(b)-1] != c {
					b = append(b, c)
				}
				prevSpace = false
			case '0' <= c && c <= '9':
				b = append(b, c)
				prevSpace = false
			case !prevSpace && unicode.IsSpace(c):
				if pc := b[len(b)-1]; pc != '_' && pc != '-' && pc != '.' {
					b = append(b, '-')
				}
				prevSpace = true
			}
		}
	}
	for len(b) > 0 && (b[len(b)-1] == '_' || b[len(b)-1] == '-' || b[len(b)-1] == '.') {
		b = b[:len(b)-1]
	}
	return string(b)
}

// asciiFolds are the letters whose ASCII form is not their decomposition.
var asciiFolds = map[rune]string{'ß': "ss", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ø': "o", 'Ø': "O",
	'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D", 'ł': "l", 'Ł': "L", 'þ': "th", 'Þ': "TH"}

// toASCII approximates Markdig's CharNormalizer: a Latin letter with
// accents becomes its base letter; other characters stay as they are
// (and urilize drops what is not ASCII).
func toASCII(c rune) string {
	if c < 0x80 {
		return string(c)
	}
	if s, ok := asciiFolds[c]; ok {
		return s
	}
	d := norm.NFD.String(string(c))
	if d[0] < 0x80 {
		return d[:1]
	}
	return string(c)
}
