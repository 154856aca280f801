// Package endpoint runs a tree as a backend endpoint, the way the
// reference's HTTP endpoints run a file: the supplied arguments (a JSON
// object or name=value pairs) are typed and checked against the tree's
// [.arguments] declaration, which is replaced by them; [.description] is
// kept; [return]/[yield] produce the response body, and
// [response.status.set]/[response.headers.set]/[response.cookies.set]
// are recorded, and request.* answer from the Request the run is given.
// The slots of the request and the response are registered by Register.
package endpoint

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	"hlstudio/engine"
	"hlstudio/engine/jsonslots"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Response is what an endpoint answered.
type Response struct {
	Status  int         `json:"status"`
	Headers [][2]string `json:"headers,omitempty"`
	Cookies []Cookie    `json:"cookies,omitempty"`
	// Body is the result as JSON: the returned nodes as an object or
	// array, or the returned value; nil when nothing was returned.
	Body []byte `json:"-"`
	// Description is the tree's [.description], kept for documentation.
	Description string `json:"description,omitempty"`
}

type responseKey struct{}

func response(r *engine.Run) *Response {
	return r.Extension(responseKey{}, func() any { return &Response{} }).(*Response)
}

// Register adds response.status.set, response.headers.set,
// response.cookies.set and the request.* slots.
func Register(e *engine.Engine) error {
	for _, s := range append(requestSlots(),
		engine.Slot{Sig: whitelist.Signature{Name: "response.status.set", Doc: "sets the endpoint's HTTP status (100-599)",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: setStatus},
		engine.Slot{Sig: whitelist.Signature{Name: "response.headers.set", Doc: "sets response headers: each child's name and value",
			Children: whitelist.Data}, Fn: setHeaders},
	) {
		s.Fn = runsOwn(s.Fn)
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}

// runsOwn refuses the request and the response to code of a dynamic slot
// created under another authority than the run's: a slot planted by
// sandboxed code, called from a trusted endpoint, neither reads its
// caller's tokens and cookies nor sets its status, headers or cookies
// (audit 13).
func runsOwn(fn engine.SlotFunc) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		if f := r.Foreign(); f != nil {
			return r.Deny(n, fmt.Sprintf("the request and the response are the run's: a slot created under policy %s does not reach them", f.Name))
		}
		return fn(r, n)
	}
}

func setStatus(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	code, err := strconv.Atoi(hyperlambda.StringOf(v))
	if err != nil || code < 100 || code > 599 {
		return fmt.Errorf("%q is not an HTTP status (100-599)", hyperlambda.StringOf(v))
	}
	response(r).Status = code
	return nil
}

func setHeaders(r *engine.Run, n *hyperlambda.Node) error {
	resp := response(r)
	for _, c := range n.Children() {
		v, err := hyperlambda.Value(c)
		if err != nil {
			return err
		}
		name, value := c.Name, hyperlambda.StringOf(v)
		if err := checkHeader(name, value); err != nil {
			return err
		}
		if err := r.Output(len(name) + len(value)); err != nil {
			return err
		}
		resp.Headers = append(resp.Headers, [2]string{http.CanonicalHeaderKey(name), value})
	}
	return nil
}

// ArgumentError is a supplied argument the declaration refuses.
type ArgumentError struct {
	Name   string
	Reason string
}

func (e *ArgumentError) Error() string { return fmt.Sprintf("argument %s: %s", e.Name, e.Reason) }

// Bind replaces lambda's [.arguments] declaration with supplied (a node
// whose children are the arguments, as text from name=value pairs or as
// decoded JSON), the reference's rules: a declared type converts the
// value (`*` or no type accepts anything); an argument the declaration
// does not name is refused; without a declaration, or with
// `.arguments:*`, anything is accepted unconverted. An argument given twice
// or with an empty name is refused whatever the declaration. Arguments come
// out in declaration order, then in the order given.
func Bind(lambda, supplied *hyperlambda.Node) error {
	var decl *hyperlambda.Node
	for _, c := range lambda.Children() {
		if c.Name == ".arguments" {
			decl = c
			break
		}
	}
	args := hyperlambda.New(".arguments", nil)
	given := supplied.Children()
	// An argument given twice (--arg a=1 --arg a=2, or a JSON object with a
	// key twice) would make [.arguments/*/a] select two nodes at run time.
	seen := make(map[string]bool, len(given))
	for _, g := range given {
		if g.Name == "" {
			return &ArgumentError{Name: `""`, Reason: "empty argument name"}
		}
		if seen[g.Name] {
			return &ArgumentError{Name: g.Name, Reason: "given twice"}
		}
		seen[g.Name] = true
	}
	if decl == nil && supplied.Len() == 0 {
		return nil // nothing declared, nothing given: the tree stays as written
	}
	if decl == nil || decl.Value == "*" {
		args.MoveChildren(supplied)
		engine.BindArguments(lambda, args)
		return nil
	}
	used := make([]bool, len(given))
	for _, d := range decl.Children() {
		for i, g := range given {
			if used[i] || g.Name != d.Name {
				continue
			}
			used[i] = true
			typ, _ := d.Value.(string)
			if err := convert(g, typ); err != nil {
				return err
			}
		}
	}
	for i, g := range given {
		if !used[i] {
			return &ArgumentError{Name: g.Name, Reason: "the endpoint does not declare it (declared: " + declared(decl) + ")"}
		}
	}
	// Declaration order, as the reference sorts them.
	for _, d := range decl.Children() {
		for _, g := range append([]*hyperlambda.Node(nil), supplied.Children()...) {
			if g.Name == d.Name {
				args.Add(g)
			}
		}
	}
	engine.BindArguments(lambda, args)
	return nil
}

func declared(decl *hyperlambda.Node) string {
	var names []string
	for _, d := range decl.Children() {
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// convert gives g's value the declared type: text converts by the
// Hyperlambda rules, a JSON number or bool through its text; objects and
// arrays (children) are only accepted by `*` or an untyped declaration.
func convert(g *hyperlambda.Node, typ string) error {
	if typ == "" || typ == "*" || g.Value == nil && g.Len() == 0 {
		return nil
	}
	if g.Len() > 0 {
		return &ArgumentError{Name: g.Name, Reason: "an object or list where a " + typ + " is declared"}
	}
	text := hyperlambda.StringOf(g.Value)
	if _, ok := g.Value.(string); !ok {
		if _, t, err := hyperlambda.ValueText(g.Value); err == nil {
			text = t
		}
	}
	if typ == "string" {
		g.Value = text
		return nil
	}
	v, err := hyperlambda.ConvertText(text, typ)
	if err != nil {
		return &ArgumentError{Name: g.Name, Reason: err.Error()}
	}
	g.Value = v
	return nil
}

// ArgumentsFromJSON decodes a JSON object of arguments, within maxNodes.
func ArgumentsFromJSON(text string, maxNodes int64) (*hyperlambda.Node, error) {
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(trimmed, "{") {
		return nil, fmt.Errorf(`arguments must be a JSON object, e.g. {"name": "Jane"}`)
	}
	var made int64
	return jsonslots.Decode(trimmed, 64, func(n int) error {
		if made += int64(n); made > maxNodes {
			return fmt.Errorf("more than %d nodes of arguments", maxNodes)
		}
		return nil
	})
}

// Invoke binds the supplied arguments and runs lambda as an endpoint
// under policy, answering the request WithRequest put in ctx (else
// DefaultRequest). The response is filled when the run ends, whether or
// not it failed (status 500 for a failed run, unless the tree set one).
func Invoke(ctx context.Context, e *engine.Engine, lambda, supplied *hyperlambda.Node, policy *whitelist.Policy) (*Response, *engine.Result, error) {
	resp := &Response{Status: http.StatusOK}
	for _, c := range lambda.Children() {
		if c.Name == ".description" {
			resp.Description = hyperlambda.StringOf(c.Value)
		}
	}
	if err := Bind(lambda, supplied); err != nil {
		resp.Status = http.StatusBadRequest
		return resp, nil, err
	}
	res, err := e.Execute(ctx, lambda, policy)
	if set, ok := res.Extensions[responseKey{}].(*Response); ok {
		if set.Status != 0 {
			resp.Status = set.Status
		}
		resp.Headers = set.Headers
		resp.Cookies = set.Cookies
	}
	if err != nil {
		if resp.Status < 400 {
			resp.Status = http.StatusInternalServerError
			var te *engine.ThrowError
			if errors.As(err, &te) && te.Status != 0 {
				resp.Status = te.Status
			}
		}
		return resp, res, err
	}
	body, berr := bodyOf(res, policy.Budgets.OutputBytes)
	if berr != nil {
		return resp, res, berr
	}
	resp.Body = body
	return resp, res, nil
}

// bodyOf is the result as JSON: returned nodes as an object or array,
// else the value.
func bodyOf(res *engine.Result, limit int64) ([]byte, error) {
	if len(res.Nodes) > 0 {
		root := hyperlambda.New("", nil)
		for _, n := range res.Nodes {
			root.Add(n.Clone())
		}
		return jsonslots.Encode(root, limit)
	}
	if res.Value == nil {
		return nil, nil
	}
	return jsonslots.Encode(hyperlambda.New("", res.Value), limit)
}

// checkHeader refuses what no HTTP header can hold (net/http's rules): a
// line break would start another header (injection), and other control
// characters (an escape sequence, printed by hlstudio run to a terminal)
// or separators in a name are not HTTP either (audit 19).
func checkHeader(name, value string) error {
	if !httpguts.ValidHeaderFieldName(name) {
		return fmt.Errorf("header %q: a name is letters, digits and !#$%%&'*+-.^_`|~ only", name)
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return fmt.Errorf("header %q: a value cannot hold line breaks or other control characters (tabs aside)", name)
	}
	return nil
}
