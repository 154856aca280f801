// Package cacheslots is the reference's cache.* family (cache.set 119 and
// cache.get 55 uses in the public corpus) with a cache that lives for one
// run: every run starts empty, so runs replay identically and nothing a
// run caches is seen by another. Expirations are accepted and, within a
// run, never reached. Entries count against the run's budgets (one node
// each, their key and text as output).
package cacheslots

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

type cacheKey struct{}

type cache map[string]string

func runCache(r *engine.Run) cache {
	return r.Extension(cacheKey{}, func() any { return cache{} }).(cache)
}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	key := whitelist.ValueSpec{Required: true, Expr: true, Doc: "the key"}
	filter := whitelist.ValueSpec{Expr: true, Doc: "only keys starting with this"}
	expiration := whitelist.Arg{Name: "expiration", Doc: "seconds; accepted, and never reached within a run"}
	slots := []engine.Slot{
		{Sig: whitelist.Signature{Name: "cache.set", Doc: "caches [value] under the key for the rest of the run; no [value] removes the key",
			Value: key, Children: whitelist.Arguments, Args: []whitelist.Arg{{Name: "value", Doc: "what to cache"}, expiration}}, Fn: set},
		{Sig: whitelist.Signature{Name: "cache.get", Doc: "the cached value of the key, or null", Value: key}, Fn: get},
		{Sig: whitelist.Signature{Name: "cache.try-get", Doc: "the cached value of the key; on a miss runs [.lambda] and caches what it returns",
			Value: key, Children: whitelist.Arguments, Args: []whitelist.Arg{{Name: ".lambda", Required: true, Code: true, Doc: "returns the value on a miss"}, expiration}}, Fn: tryGet},
		{Sig: whitelist.Signature{Name: "cache.clear", Doc: "removes the cached keys (those starting with the value, when given)", Value: filter}, Fn: clearKeys},
		{Sig: whitelist.Signature{Name: "cache.count", Doc: "how many keys are cached (starting with the value, when given)", Value: filter}, Fn: countKeys},
		{Sig: whitelist.Signature{Name: "cache.list", Doc: "the cached keys and values, sorted by key, as [.] children with key and value (starting with the value, when given), from [offset] at most [limit] (10)",
			Value: filter, Children: whitelist.Arguments, Args: []whitelist.Arg{{Name: "offset", Doc: "items to skip (0)"}, {Name: "limit", Doc: "items at most (10)"}}}, Fn: listKeys},
	}
	return e.RegisterAll(slots...)
}

func keyOf(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return "", err
	}
	k := hyperlambda.StringOf(v)
	if k == "" {
		return "", fmt.Errorf("needs a key, e.g. %s:users.count", n.Name)
	}
	return k, nil
}

// store caches v under k as text, as the reference does (a cached int is
// read back as a string), within the run's budgets; null removes the key.
// A node is refused rather than flattened: a tree is cached as text made
// on purpose (lambda2hyper, lambda2json).
func store(r *engine.Run, c cache, k string, v any) error {
	switch v.(type) {
	case nil:
		delete(c, k)
		return nil
	case *hyperlambda.Node:
		return errors.New("caches text, not nodes: convert the nodes to text first (lambda2hyper or lambda2json)")
	}
	text := hyperlambda.StringOf(v)
	if _, ok := c[k]; !ok {
		if err := r.Created(1); err != nil {
			return err
		}
	}
	if err := r.Output(len(k) + len(text)); err != nil {
		return err
	}
	c[k] = text
	return nil
}

func set(r *engine.Run, n *hyperlambda.Node) error {
	k, err := keyOf(n)
	if err != nil {
		return err
	}
	v, _, err := r.Arg(n, "value")
	if err != nil {
		return err
	}
	return store(r, runCache(r), k, v)
}

func get(r *engine.Run, n *hyperlambda.Node) error {
	k, err := keyOf(n)
	if err != nil {
		return err
	}
	n.Value = nil
	if v, ok := runCache(r)[k]; ok {
		n.Value = v
	}
	return nil
}

func tryGet(r *engine.Run, n *hyperlambda.Node) error {
	k, err := keyOf(n)
	if err != nil {
		return err
	}
	c := runCache(r)
	if v, ok := c[k]; ok {
		n.Clear()
		n.Value = v
		return nil
	}
	lambda, err := r.ArgNode(n, ".lambda")
	if err != nil {
		return err
	}
	// What is cached is the value the lambda returns, as text; returned
	// nodes are dropped, as in the reference.
	if err := r.Call(lambda, n); err != nil {
		return err
	}
	n.Clear()
	if err := store(r, c, k, n.Value); err != nil {
		return err
	}
	if n.Value != nil {
		n.Value = c[k]
	}
	return nil
}

func filterOf(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	return hyperlambda.StringOf(v), err
}

// matching lists the cached keys starting with the node's filter, sorted.
func matching(r *engine.Run, n *hyperlambda.Node) ([]string, error) {
	prefix, err := filterOf(n)
	if err != nil {
		return nil, err
	}
	var keys []string
	for k := range runCache(r) {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

func clearKeys(r *engine.Run, n *hyperlambda.Node) error {
	keys, err := matching(r, n)
	if err != nil {
		return err
	}
	c := runCache(r)
	for _, k := range keys {
		delete(c, k)
	}
	return nil
}

func countKeys(r *engine.Run, n *hyperlambda.Node) error {
	keys, err := matching(r, n)
	if err != nil {
		return err
	}
	n.Value = int32(len(keys))
	return nil
}

// listKeys lists the keys and values, sorted by key, from [offset] (0)
// at most [limit] (10) of them, as the reference's defaults.
func listKeys(r *engine.Run, n *hyperlambda.Node) error {
	keys, err := matching(r, n)
	if err != nil {
		return err
	}
	page := func(name string, def int64) (int64, error) {
		v, ok, err := r.Arg(n, name)
		if err != nil || !ok {
			return def, err
		}
		i, ok := hyperlambda.Integer(v)
		if !ok || i < 0 {
			return 0, fmt.Errorf("[%s] needs an integer of 0 or more", name)
		}
		return i, nil
	}
	offset, err := page("offset", 0)
	if err != nil {
		return err
	}
	limit, err := page("limit", 10)
	if err != nil {
		return err
	}
	keys = keys[min(offset, int64(len(keys))):]
	keys = keys[:min(limit, int64(len(keys)))]
	if err := r.Created(3 * len(keys)); err != nil {
		return err
	}
	c := runCache(r)
	n.Clear()
	n.Value = nil
	for _, k := range keys {
		n.Add(hyperlambda.New(".", nil, hyperlambda.New("key", k), hyperlambda.New("value", c[k])))
	}
	return nil
}
