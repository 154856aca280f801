package dataset

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSnippetLifecycle(t *testing.T) {
	s := openTemp(t)
	sn := mustAdd(t, s, Snippet{Prompt: "  Add two numbers\r\n", Code: "math.add\n   .:int:1\n   .:int:2", Tags: []string{"math", " math ", "", "b\\c"}})
	if sn.ID == 0 || sn.Version != 1 || sn.Status != StatusDraft || sn.Prompt != "Add two numbers" {
		t.Fatalf("added %+v", sn)
	}
	if want := "math.add\r\n   .:int:1\r\n   .:int:2\r\n"; sn.Code != want {
		t.Errorf("code not canonical: %q", sn.Code)
	}
	if !slices.Equal(sn.Tags, []string{"b/c", "math"}) {
		t.Errorf("tags %q", sn.Tags)
	}
	got, err := s.Snippet(bg, sn.ID)
	if err != nil || got.Code != sn.Code || got.TreeHash != sn.TreeHash || !slices.Equal(got.Tags, sn.Tags) {
		t.Fatalf("read back %+v %v", got, err)
	}

	// Saving unchanged keeps the version; each change adds one.
	if same, _ := s.UpdateSnippet(bg, got); same.Version != 1 {
		t.Errorf("unchanged save made version %d", same.Version)
	}
	got.Code = "math.add\n   .:int:1\n   .:int:3"
	v2, err := s.UpdateSnippet(bg, got)
	if err != nil || v2.Version != 2 || v2.TreeHash == sn.TreeHash {
		t.Fatalf("update: %+v %v", v2, err)
	}
	v3, err := s.SetStatus(bg, sn.ID, StatusApproved)
	if err != nil || v3.Version != 3 || v3.Status != StatusApproved {
		t.Fatalf("status: %+v %v", v3, err)
	}
	vs, err := s.Versions(bg, sn.ID)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[1].Code != sn.Code {
		t.Fatalf("versions %+v %v", vs, err)
	}
	// Restoring version 1 is an edit that keeps version 3.
	r, err := s.RestoreVersion(bg, sn.ID, 1)
	if err != nil || r.Code != sn.Code || r.Status != StatusDraft || r.Version != 4 {
		t.Fatalf("restore: %+v %v", r, err)
	}
	if vs, _ := s.Versions(bg, sn.ID); len(vs) != 3 || vs[0].Status != StatusApproved {
		t.Errorf("after restore: %+v", vs)
	}
	if _, err := s.RestoreVersion(bg, sn.ID, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("restore of a missing version: %v", err)
	}
	if err := s.DeleteSnippet(bg, sn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snippet(bg, sn.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if vs, _ := s.Versions(bg, sn.ID); len(vs) != 0 {
		t.Errorf("versions outlive their snippet: %v", vs)
	}
	if err := s.DeleteSnippet(bg, sn.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestAddSnippetRejects(t *testing.T) {
	s := openTemp(t)
	for _, tc := range []struct {
		sn   Snippet
		want string
	}{
		{Snippet{Prompt: " ", Code: "a"}, "prompt is empty"},
		{Snippet{Prompt: "p", Code: ""}, "code is empty"},
		{Snippet{Prompt: "p", Code: "a\n  b"}, "code: 2:3:"},
		{Snippet{Prompt: "p", Code: "a", Status: "done"}, `unknown status "done"`},
		{Snippet{Prompt: "p", Code: "a", Split: "test"}, `unknown split "test"`},
	} {
		if _, err := s.AddSnippet(bg, tc.sn); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.sn, err, tc.want)
		}
	}
}

func TestTreeHashIgnoresComments(t *testing.T) {
	a, err1 := TreeHash("// note\nfoo:bar\n   /* inner */\n   x:int:1")
	b, err2 := TreeHash("foo:\"bar\"\r\n   x:int:1\r\n")
	c, _ := TreeHash("foo:bar\n   x:int:2")
	if err1 != nil || err2 != nil || a != b || a == c {
		t.Errorf("hashes %s %s %s (%v %v)", a, b, c, err1, err2)
	}
}

func TestNormalizePrompt(t *testing.T) {
	for in, want := range map[string]string{
		"Create an endpoint!":         "create an endpoint",
		"  create\tan   ENDPOINT  ":   "create an endpoint",
		"Größe: 10 × 2":               "größe 10 2",
		"...":                         "",
		"return [result] as `json`\n": "return result as json",
	} {
		if got := NormalizePrompt(in); got != want {
			t.Errorf("NormalizePrompt(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttemptsRegressionsRunsCache(t *testing.T) {
	s := openTemp(t)
	failed, err := s.AddAttempt(bg, Attempt{Prompt: "Say hi", Model: "qwen", ModelDigest: "sha256:abc",
		Options: json.RawMessage(`{"temperature":0}`), RawOutput: "log.inf:hi", Error: "1:1: unknown slot log.inf", Duration: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := s.AddAttempt(bg, Attempt{Prompt: "say hi!", Model: "qwen", RawOutput: "log.info:hi", Tree: "log.info:hi"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAttempt(bg, Attempt{Prompt: "x", Options: json.RawMessage(`{bad`)}); err == nil {
		t.Error("invalid options JSON accepted")
	}
	a, err := s.Attempt(bg, failed)
	if err != nil || a.Duration != 1500*time.Millisecond || a.HasTree || string(a.Options) != `{"temperature":0}` || a.PromptHash != PromptHash("say hi") {
		t.Errorf("attempt %+v %v", a, err)
	}
	all, _ := s.Attempts(bg, AttemptFilter{Prompt: "SAY HI"})
	failedOnly, _ := s.Attempts(bg, AttemptFilter{FailedOnly: true})
	if len(all) != 2 || all[0].ID != ok || !all[0].HasTree || all[0].TreeHash == "" || len(failedOnly) != 1 {
		t.Errorf("attempts %+v / failed %+v", all, failedOnly)
	}

	sn := mustAdd(t, s, Snippet{Prompt: "Say hi", Code: "log.info:hi", Source: SourceGenerated, AttemptID: ok})
	if a, _ := s.Attempt(bg, ok); a.SnippetRef != sn.ID {
		t.Errorf("attempt does not know its snippet: %d", a.SnippetRef)
	}
	rid, err := s.AddRegression(bg, Regression{SnippetID: sn.ID, AttemptID: failed, Reason: "invented slot"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRegression(bg, Regression{SnippetID: 999, Bad: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("regression for a missing snippet: %v", err)
	}
	if err := s.SetRegressionReason(bg, rid, "typo in slot name"); err != nil {
		t.Fatal(err)
	}
	other := mustAdd(t, s, Snippet{Prompt: "Say bye", Code: "log.info:bye"})
	if with, err := s.WithRegressions(bg, []int64{sn.ID, other.ID, 12345}); err != nil || !with[sn.ID] || with[other.ID] || len(with) != 1 {
		t.Errorf("WithRegressions %v, %v", with, err)
	}
	regs, _ := s.Regressions(bg, sn.ID)
	if len(regs) != 1 || regs[0].Bad != "log.inf:hi" || regs[0].Good != sn.Code || regs[0].Reason != "typo in slot name" || regs[0].AttemptID != failed {
		t.Errorf("regressions %+v", regs)
	}

	runID, err := s.AddRun(bg, Run{TreeHash: sn.TreeHash, SnippetID: sn.ID, PolicyName: "sandbox", PolicyHash: "ph",
		Args: ".arguments\r\n   a:1\r\n", Result: "hi", Usage: json.RawMessage(`{"steps":3}`), Duration: 2 * time.Millisecond,
		Request: `{"verb":"post","url":"http://localhost/x"}`})
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := s.Runs(bg, sn.TreeHash, 0)
	if len(runs) != 1 || runs[0].ID != runID || string(runs[0].Denials) != "[]" || string(runs[0].Usage) != `{"steps":3}` || runs[0].Duration != 2*time.Millisecond ||
		runs[0].Request != `{"verb":"post","url":"http://localhost/x"}` {
		t.Errorf("runs %+v", runs)
	}

	// Deleting the snippet drops its regressions and unlinks its runs.
	s.DeleteSnippet(bg, sn.ID)
	if regs, _ := s.Regressions(bg, 0); len(regs) != 0 {
		t.Errorf("regressions outlive the snippet: %v", regs)
	}
	if runs, _ := s.Runs(bg, "", 0); len(runs) != 1 || runs[0].SnippetID != 0 {
		t.Errorf("runs after delete: %+v", runs)
	}

	if _, found, err := s.CacheGet(bg, "k"); found || err != nil {
		t.Errorf("empty cache: %v %v", found, err)
	}
	s.CachePut(bg, "k", "a:1")
	s.CachePut(bg, "k", "a:2")
	if tree, found, _ := s.CacheGet(bg, "k"); !found || tree != "a:2" {
		t.Errorf("cache: %q %v", tree, found)
	}
	if n, _ := s.CachePrune(bg, time.Now().Add(time.Hour)); n != 1 {
		t.Errorf("pruned %d", n)
	}
}
