// Package hlgen generates realistic Hyperlambda snippets for benchmarks and
// load tests: the shapes of the public training set (CRUD endpoints,
// validation, branching, loops, string building, HTTP calls, dynamic slots),
// with names and values varied by a seeded random source so that a corpus
// is reproducible byte for byte.
package hlgen

import (
	"fmt"
	"math/rand"
	"strings"
)

var (
	tables  = []string{"customers", "orders", "invoices", "products", "users", "roles", "tickets", "messages", "sessions", "files"}
	columns = []string{"id", "name", "email", "created", "status", "amount", "title", "description", "owner", "price", "quantity", "country"}
	words   = []string{"alpha", "beta", "gamma", "delta", "report", "summary", "hello", "world", "total", "result", "value", "item"}
	slots   = []string{"strings.concat", "strings.to-lower", "strings.to-upper", "strings.trim", "math.add", "math.multiply", "get-count", "get-value", "convert"}
)

type writer struct {
	r *rand.Rand
	b strings.Builder
}

func (w *writer) line(level int, format string, args ...any) {
	w.b.WriteString(strings.Repeat("   ", level))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\r\n")
}

func (w *writer) pick(list []string) string { return list[w.r.Intn(len(list))] }

// Snippet returns one snippet: a leading comment with the "prompt" and code.
func Snippet(r *rand.Rand) string {
	w := &writer{r: r}
	switch r.Intn(6) {
	case 0:
		w.crudRead()
	case 1:
		w.crudCreate()
	case 2:
		w.branching()
	case 3:
		w.loop()
	case 4:
		w.httpCall()
	default:
		w.dynamicSlot()
	}
	return w.b.String()
}

// Corpus returns snippets from seed until their total size reaches minBytes.
func Corpus(seed int64, minBytes int) []string {
	r := rand.New(rand.NewSource(seed))
	var out []string
	for total := 0; total < minBytes; {
		s := Snippet(r)
		out = append(out, s)
		total += len(s)
	}
	return out
}

func (w *writer) arguments(level int, cols []string) {
	w.line(level, ".arguments")
	for _, c := range cols {
		switch w.r.Intn(4) {
		case 0:
			w.line(level+1, "%s:long", c)
		case 1:
			w.line(level+1, "%s:date", c)
		default:
			w.line(level+1, "%s:string", c)
		}
	}
}

func (w *writer) crudRead() {
	table := w.pick(tables)
	cols := []string{w.pick(columns), w.pick(columns), w.pick(columns)}
	w.line(0, "// Returns records from the %s table filtered by %s, with paging.", table, cols[0])
	w.arguments(0, append([]string{"limit", "offset"}, cols...))
	w.line(0, ".description:\"Returns %s items, it's paged\"", table)
	w.line(0, ".type:crud-read")
	w.line(0, "auth.ticket.verify:root, admin")
	w.line(0, "validators.default:x:@.arguments")
	w.line(1, "limit:long:%d", 10+w.r.Intn(90))
	w.line(1, "offset:long:0")
	w.line(0, "data.connect:[generic|%s]", w.pick(words))
	w.line(1, "database-type:sqlite")
	w.line(1, "add:x:+/*/columns")
	w.line(2, "get-nodes:x:@.arguments/*/[0,%d]", 1+w.r.Intn(3))
	w.line(1, "data.read")
	w.line(2, "database-type:sqlite")
	w.line(2, "table:%s", table)
	w.line(2, "columns")
	for _, c := range cols {
		w.line(3, "%s", c)
	}
	w.line(2, "where")
	w.line(3, "and")
	for _, c := range cols[:1+w.r.Intn(2)] {
		w.line(4, "%s.like:x:@.arguments/*/%s", c, c)
	}
	w.line(2, "limit:x:@.arguments/*/limit")
	w.line(2, "offset:x:@.arguments/*/offset")
	w.line(2, "order:%s", cols[0])
	w.line(2, "direction:desc")
	w.line(1, "return-nodes:x:@data.read/*")
}

func (w *writer) crudCreate() {
	table := w.pick(tables)
	cols := []string{w.pick(columns), w.pick(columns)}
	w.line(0, "// Creates a new record in %s and logs who did it.", table)
	w.arguments(0, cols)
	w.line(0, "validators.mandatory:x:@.arguments/*/%s", cols[0])
	w.line(0, "validators.email:x:@.arguments/*/%s", cols[1])
	w.line(0, "data.connect:magic")
	w.line(1, "data.create")
	w.line(2, "table:%s", table)
	w.line(2, "return-id:bool:%t", w.r.Intn(2) == 0)
	w.line(2, "values")
	for _, c := range cols {
		w.line(3, "%s:x:@.arguments/*/%s", c, c)
	}
	w.line(3, "created:date:\"2024-0%d-1%dT10:%02d:00.000Z\"", 1+w.r.Intn(9), w.r.Intn(10), w.r.Intn(60))
	w.line(3, "amount:decimal:%d.%02d", w.r.Intn(1000), w.r.Intn(100))
	w.line(1, "log.info:Created %s record", table)
	w.line(2, "id:x:@data.create")
	w.line(1, "unwrap:x:+/*")
	w.line(1, "return")
	w.line(2, "id:x:@data.create")
	w.line(2, "result:success")
}

func (w *writer) branching() {
	v := w.pick(words)
	w.line(0, "/*")
	w.line(0, " * Greets the caller by name unless the name is %q.", v)
	w.line(0, " * Uses if, else-if and else.")
	w.line(0, " */")
	w.line(0, ".name:%s", w.pick(words))
	w.line(0, ".result")
	w.line(0, "if")
	w.line(1, "eq")
	w.line(2, "get-value:x:@.name")
	w.line(2, ".:%s", v)
	w.line(1, ".lambda")
	w.line(2, "set-value:x:@.result")
	w.line(3, ".:\"Not you again, %s!\"", v)
	w.line(0, "else-if")
	w.line(1, "mt")
	w.line(2, "strings.length:x:@.name")
	w.line(2, ".:int:%d", 3+w.r.Intn(10))
	w.line(1, ".lambda")
	w.line(2, "set-value:x:@.result")
	w.line(3, "strings.concat")
	w.line(4, ".:\"Hello, \"")
	w.line(4, "get-value:x:@.name")
	w.line(0, "else")
	w.line(1, "set-value:x:@.result")
	w.line(2, "%s:x:@.name", w.pick(slots))
	w.line(0, "return:x:@.result")
}

func (w *writer) loop() {
	n := 2 + w.r.Intn(5)
	w.line(0, "// Sums the %s of every item and returns the total with a count.", w.pick(columns))
	w.line(0, ".items")
	for i := 0; i < n; i++ {
		w.line(1, ".")
		w.line(2, "name:%s", w.pick(words))
		w.line(2, "price:decimal:%d.%d", w.r.Intn(500), w.r.Intn(100))
		w.line(2, "quantity:int:%d", 1+w.r.Intn(20))
	}
	w.line(0, ".total:decimal:0")
	w.line(0, "for-each:x:@.items/*")
	w.line(1, "math.increment:x:@.total")
	w.line(2, "math.multiply")
	w.line(3, "get-value:x:@.dp/#/*/price")
	w.line(3, "get-value:x:@.dp/#/*/quantity")
	w.line(1, "if")
	w.line(2, "not-exists:x:@.dp/#/*/name")
	w.line(2, ".lambda")
	w.line(3, "throw:Item has no name")
	w.line(4, "status:int:400")
	w.line(4, "public:bool:true")
	w.line(0, "return")
	w.line(1, "total:x:@.total")
	w.line(1, "count")
	w.line(2, "get-count:x:@.items/*")
}

func (w *writer) httpCall() {
	host := w.pick(words)
	w.line(0, "// Fetches %s from an API with a bearer token and returns the JSON as lambda.", w.pick(tables))
	w.line(0, ".token")
	w.line(0, "set-value:x:-")
	w.line(1, "config.get:\"magic:auth:%s\"", host)
	w.line(0, "try")
	w.line(1, "http.get:\"https://api.%s.example.com/v1/%s?limit=%d\"", host, w.pick(tables), 10*(1+w.r.Intn(9)))
	w.line(2, "headers")
	w.line(3, "Authorization")
	w.line(4, "strings.concat")
	w.line(5, ".:\"Bearer \"")
	w.line(5, "get-value:x:@.token")
	w.line(3, "Accept:application/json")
	w.line(2, "timeout:int:%d", 10+w.r.Intn(50))
	w.line(1, "if")
	w.line(2, "mte")
	w.line(3, "get-value:x:@http.get")
	w.line(3, ".:int:400")
	w.line(2, ".lambda")
	w.line(3, "throw:x:@http.get/*/content")
	w.line(1, "json2lambda:x:@http.get/*/content")
	w.line(1, "return-nodes:x:@json2lambda/*")
	w.line(0, ".catch")
	w.line(1, "log.error:x:@.arguments/*/message")
	w.line(1, "return")
	w.line(2, "error:x:@.arguments/*/message")
}

func (w *writer) dynamicSlot() {
	name := "app." + w.pick(words) + "." + w.pick(words)
	w.line(0, "// Creates the dynamic slot %s and invokes it with two arguments.", name)
	w.line(0, "slots.create:%s", name)
	w.line(1, "strings.concat")
	w.line(2, "get-value:x:@.arguments/*/a")
	w.line(2, ".:\" and \"")
	w.line(2, "get-value:x:@.arguments/*/b")
	w.line(1, "return:x:-")
	w.line(0, "signal:%s", name)
	w.line(1, "a:%s", w.pick(words))
	w.line(1, "b:%s", w.pick(words))
	w.line(0, "switch:x:@signal")
	w.line(1, "case:%s", w.pick(words))
	w.line(2, "log.info:matched")
	w.line(1, "default")
	w.line(2, "log.debug:x:@signal")
	w.line(2, "guid.new")
	w.line(2, ".id:guid:%08x-1b2c-4d5e-8f90-%012x", w.r.Uint32(), w.r.Int63()&0xffffffffffff)
}
