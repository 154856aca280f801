package hyperlambda

import (
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"hlstudio/internal/hlgen"
)

// The baseline for parse and format speed is encoding/json on the same
// trees written as nested JSON objects: each benchmark times both in the
// same iterations and reports the ratio (how many times faster we are).

type jsonNode struct {
	Name     string     `json:"name"`
	Type     string     `json:"type,omitempty"`
	Value    *string    `json:"value,omitempty"`
	Children []jsonNode `json:"children,omitempty"`
}

func toJSONNodes(nodes []*Node) []jsonNode {
	out := make([]jsonNode, len(nodes))
	for i, n := range nodes {
		out[i].Name = n.Name
		if n.Value != nil {
			typ, text, _ := ValueText(n.Value)
			out[i].Type, out[i].Value = typ, &text
		}
		out[i].Children = toJSONNodes(n.children)
	}
	return out
}

type benchCorpus struct {
	text  string
	json  []byte
	root  *Node
	nodes int
}

var (
	corpusOnce sync.Once
	corpus     benchCorpus
)

// loadCorpus builds (once) a corpus of generated snippets of at least 5 MB.
func loadCorpus(b *testing.B) *benchCorpus {
	corpusOnce.Do(func() {
		corpus.text = strings.Join(hlgen.Corpus(1, 5<<20), "")
		root, err := ParseString(corpus.text, ParseOptions{})
		if err != nil {
			panic(err)
		}
		corpus.root = root
		root.Walk(func(*Node) bool { corpus.nodes++; return true })
		corpus.nodes-- // the synthetic root
		corpus.json, err = json.Marshal(toJSONNodes(root.Children()))
		if err != nil {
			panic(err)
		}
	})
	return &corpus
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

func BenchmarkParseVsJSON(b *testing.B) {
	c := loadCorpus(b)
	b.SetBytes(int64(len(c.text)))
	var ours, theirs time.Duration
	var allocs uint64
	for b.Loop() {
		m0 := mallocs()
		t0 := time.Now()
		if _, err := ParseString(c.text, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		allocs += mallocs() - m0
		var nodes []jsonNode
		if err := json.Unmarshal(c.json, &nodes); err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(t1)
		ours += t1.Sub(t0)
	}
	b.ReportMetric(float64(theirs)/float64(ours), "x-json-speed")
	b.ReportMetric(float64(allocs)/float64(b.N)/float64(c.nodes), "allocs/node")
	b.ReportMetric(float64(c.nodes), "nodes")
}

func BenchmarkFormatVsJSON(b *testing.B) {
	c := loadCorpus(b)
	jn := toJSONNodes(c.root.Children())
	b.SetBytes(int64(len(c.text)))
	var ours, theirs time.Duration
	var allocs uint64
	for b.Loop() {
		m0 := mallocs()
		t0 := time.Now()
		_ = AppendFormat(nil, c.root.Children(), FormatOptions{}) // []byte, like json.Marshal
		t1 := time.Now()
		allocs += mallocs() - m0
		if _, err := json.Marshal(jn); err != nil {
			b.Fatal(err)
		}
		theirs += time.Since(t1)
		ours += t1.Sub(t0)
	}
	b.ReportMetric(float64(theirs)/float64(ours), "x-json-speed")
	b.ReportMetric(float64(allocs)/float64(b.N)/float64(c.nodes), "allocs/node")
}

// BenchmarkParseSnippets parses the corpus one snippet at a time, the way
// the importer and the fmt command meet it.
func BenchmarkParseSnippets(b *testing.B) {
	c := loadCorpus(b)
	snippets := hlgen.Corpus(1, 5<<20)
	b.SetBytes(int64(len(c.text)))
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range snippets {
			if _, err := ParseString(s, ParseOptions{Comments: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
