package compiler

import (
	"context"
	"errors"
	"sync"

	"hlstudio/hyperlambda"
)

// RegressCase is a prompt with its curated tree.
type RegressCase struct {
	SnippetID int64
	Prompt    string
	Want      string // curated Hyperlambda
}

// Verdicts of a regression case.
const (
	VerdictExact     = "exact"     // the same tree as the curated one
	VerdictDifferent = "different" // verified, but not the same tree (see Similarity)
	VerdictRefused   = "refused"   // every attempt invalid, unknown or denied
	VerdictFailed    = "failed"    // the model or the dataset failed
)

// RegressResult is one case's outcome.
type RegressResult struct {
	Case       RegressCase `json:"case"`
	Verdict    string      `json:"verdict"`
	Similarity float64     `json:"similarity"` // 0..1 against the curated tree; 0 when refused
	Code       string      `json:"code,omitempty"`
	Attempts   int         `json:"attempts"`
	Error      string      `json:"error,omitempty"`
}

// Regress re-generates every case with the current model (the cache is
// bypassed: the point is what the model does now) and compares the result
// with the curated tree. parallel bounds the requests in flight at the one
// server; done is called as each case finishes, from any goroutine, one at
// a time. Results come back in the cases' order.
func (c *Compiler) Regress(ctx context.Context, cases []RegressCase, cfg Config, parallel int, done func(RegressResult)) []RegressResult {
	cfg.NoCache = true
	parallel = max(parallel, 1)
	results := make([]RegressResult, len(cases))
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range min(parallel, len(cases)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(cases) || ctx.Err() != nil {
					return
				}
				r := c.regressOne(ctx, cases[i], cfg)
				mu.Lock()
				results[i] = r
				if done != nil {
					done(r)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results
}

func (c *Compiler) regressOne(ctx context.Context, rc RegressCase, cfg Config) RegressResult {
	out := RegressResult{Case: rc}
	want, err := hyperlambda.ParseString(rc.Want, hyperlambda.ParseOptions{})
	if err != nil {
		out.Verdict, out.Error = VerdictFailed, "the curated tree does not parse: "+err.Error()
		return out
	}
	res, err := c.Compile(ctx, rc.Prompt, cfg, nil)
	if res != nil {
		out.Attempts = len(res.Attempts)
	}
	var ce *CompileError
	switch {
	case errors.As(err, &ce):
		out.Verdict, out.Error = VerdictRefused, err.Error()
		return out
	case err != nil:
		out.Verdict, out.Error = VerdictFailed, err.Error()
		return out
	case res.Retrieved:
		out.Verdict, out.Error = VerdictFailed, res.Offline
		return out
	}
	out.Code = res.Code
	out.Similarity = Similarity(want, res.Tree)
	out.Verdict = VerdictDifferent
	if out.Similarity == 1 {
		out.Verdict = VerdictExact
	}
	return out
}
