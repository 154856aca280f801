package dataslots_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// policies for the task tests, in a fresh per-user data folder: the
// built-in sandbox and trusted, and "wide", which allows every slot (the
// canary's network effect too) on the sandbox's database, so that a
// refusal under it is the task store's and not a missing grant.
type taskPolicies struct{ sandbox, trusted, wide *whitelist.Policy }

func newTaskPolicies(t *testing.T) taskPolicies {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	src := sandboxPolicy(t)
	wide := strings.Replace(strings.Replace(src, "name:sandbox", "name:wide", 1),
		"   effects:pure,logs,spawns-code,read-files,write-files,db-read,db-write", "   *", 1)
	if wide == src || !strings.Contains(wide, "   *\r\n") && !strings.Contains(wide, "   *\n") {
		t.Fatal("the sandbox policy changed shape; update this test")
	}
	return taskPolicies{
		sandbox: enginetest.LoadPolicy(t, "sandbox"),
		trusted: enginetest.LoadPolicy(t, "trusted"),
		wide:    mustParse(t, "wide.hl", wide),
	}
}

func mustParse(t *testing.T, name, src string) *whitelist.Policy {
	t.Helper()
	p, err := whitelist.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runWith runs src on e under p.
func runWith(t *testing.T, e *engine.Engine, p *whitelist.Policy, src string) (*engine.Result, error) {
	t.Helper()
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return e.Execute(context.Background(), lambda, p)
}

func mustRun(t *testing.T, e *engine.Engine, p *whitelist.Policy, src string) *engine.Result {
	t.Helper()
	res, err := runWith(t, e, p, src)
	if err != nil {
		t.Fatalf("under %s: %v\n%s", p.Name, err, src)
	}
	return res
}

// denied asserts a denial containing want, recorded with the run.
func denied(t *testing.T, res *engine.Result, err error, want string) {
	t.Helper()
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a denial containing %q", err, want)
	}
	if res == nil || len(res.Denials) == 0 {
		t.Fatal("the denial is not recorded with the run")
	}
}

// Code written under a narrow policy never runs under a wider one: a task
// planted by sandboxed code is refused by tasks.execute under trusted and
// under a policy that allows everything on the same database, even inside
// [try]; the canary is never called. The other way round too: a task of
// the wide policy does not run under the sandbox.
func TestTaskRunsOnlyUnderItsPolicy(t *testing.T) {
	ps := newTaskPolicies(t)
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	mustRun(t, e, ps.sandbox, "tasks.create:plant\r\n   .lambda\r\n      canary.record\r\n")

	res, err := runWith(t, e, ps.wide, "tasks.execute:plant\r\n")
	denied(t, res, err, `task "plant" was written under policy sandbox, not wide`)
	res, err = runWith(t, e, ps.wide, "try\r\n   tasks.execute:plant\r\n.catch\r\n   log.info:caught\r\n")
	denied(t, res, err, "was written under policy sandbox")
	res, err = runWith(t, e, ps.trusted, "tasks.execute:plant\r\n")
	denied(t, res, err, "policy trusted refuses table")
	// A policy of the same name, changed since (here its budgets): another
	// hash, so another policy.
	changed := mustParse(t, "sandbox.hl", strings.Replace(sandboxPolicy(t), "steps:long:1000000", "steps:long:999999", 1))
	res, err = runWith(t, e, changed, "tasks.execute:plant\r\n")
	denied(t, res, err, "was written under another version of policy sandbox")
	// Narrowed by [whitelist], the active policy is another one too.
	res, err = runWith(t, e, ps.sandbox, "whitelist\r\n   vocabulary\r\n      tasks.execute\r\n   .lambda\r\n      tasks.execute:plant\r\n")
	denied(t, res, err, "was written under policy sandbox, not sandbox∩whitelist")
	if calls.Load() != 0 {
		t.Fatalf("the canary was called %d times", calls.Load())
	}

	mustRun(t, e, ps.wide, "tasks.create:wide-job\r\n   .lambda\r\n      log.info:wide\r\n")
	res, err = runWith(t, e, ps.sandbox, "tasks.execute:wide-job\r\n")
	denied(t, res, err, "was written under policy wide, not sandbox")
	// Under its own policy a task runs.
	res = mustRun(t, e, ps.wide, "tasks.execute:wide-job\r\n")
	if len(res.Log) != 1 || res.Log[0].Message != "wide" {
		t.Fatalf("the task did not run under its own policy: %v", res.Log)
	}
}

// The stamp cannot be forged through the tables: data.* may write tasks
// and task_due like any granted table, but a row changed outside
// tasks.create and tasks.update no longer runs. tasks.update stamps the
// task anew with its own policy.
func TestForgedTaskStampIsRefused(t *testing.T) {
	ps := newTaskPolicies(t)
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	mustRun(t, e, ps.wide, "tasks.create:benign\r\n   .lambda\r\n      log.info:benign\r\n")
	mustRun(t, e, ps.sandbox, "tasks.create:plant\r\n   .lambda\r\n      canary.record\r\n")

	for _, c := range []struct{ name, id, src string }{
		// The wide task's code replaced by raw SQL.
		{"code", "benign", "data.execute:\"update tasks set hyperlambda = 'canary.record' where id = 'benign'\"\r\n"},
		// The planted task stamped with the wide policy by the builder.
		{"stamp", "plant", "data.update\r\n   table:tasks\r\n   values\r\n      policy:wide\r\n      policy_hash:\"" + ps.wide.Hash + "\"\r\n   where\r\n      and\r\n         id.eq:plant\r\n"},
		// ... and with the wide task's whole stamp, seal included.
		{"seal", "plant", "data.execute:\"update tasks set (policy, policy_hash, seal) = (select policy, policy_hash, seal from tasks where id = 'benign') where id = 'plant'\"\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			mustRun(t, e, ps.sandbox, "data.connect\r\n   "+strings.ReplaceAll(strings.TrimSuffix(c.src, "\r\n"), "\r\n", "\r\n   ")+"\r\n")
			res, err := runWith(t, e, ps.wide, "tasks.execute:"+c.id+"\r\n")
			denied(t, res, err, "was changed outside tasks.create and tasks.update (its seal does not match its content)")
		})
	}
	// tasks.update by the sandbox: the task is the sandbox's now.
	mustRun(t, e, ps.wide, "tasks.create:report\r\n   .lambda\r\n      log.info:report\r\n")
	mustRun(t, e, ps.sandbox, "tasks.update:report\r\n   .lambda\r\n      canary.record\r\n")
	res, err := runWith(t, e, ps.wide, "tasks.execute:report\r\n")
	denied(t, res, err, "was written under policy sandbox, not wide")
	if calls.Load() != 0 {
		t.Fatalf("the canary was called %d times", calls.Load())
	}
}

// A task runs within the budgets of the run executing it: a loop ends on
// the step budget, a task larger than the node budget is not parsed into
// the run, and what tasks.get returns counts against the output budget.
func TestTaskBudgets(t *testing.T) {
	ps := newTaskPolicies(t)
	e := vocab.New()
	src := sandboxPolicy(t)
	tight := func(from, to string) *whitelist.Policy {
		p := mustParse(t, "sandbox.hl", strings.Replace(src, from, to, 1))
		if p.Hash == ps.sandbox.Hash {
			t.Fatalf("%s is not in the sandbox policy", from)
		}
		return p
	}
	budget := func(err error, which string) {
		t.Helper()
		var be *engine.BudgetError
		if !errors.As(err, &be) || be.Budget != which {
			t.Fatalf("got %v, want the %s budget", err, which)
		}
	}

	steps := tight("steps:long:1000000", "steps:long:5000")
	mustRun(t, e, steps, "tasks.create:spin\r\n   .lambda\r\n      while:bool:true\r\n         .lambda\r\n            .idle\r\n")
	res, err := runWith(t, e, steps, "tasks.execute:spin\r\n")
	budget(err, "steps")
	if res.Usage.Steps > steps.Budgets.Steps+1 {
		t.Fatalf("steps used: %d", res.Usage.Steps)
	}

	nodes := tight("nodes:long:1000000", "nodes:long:100")
	big := "tasks.create:big\r\n   .lambda\r\n" + strings.Repeat("      .item:x\r\n", 150)
	mustRun(t, e, nodes, big) // the input itself is not created by the run
	_, err = runWith(t, e, nodes, "tasks.execute:big\r\n")
	budget(err, "nodes")

	output := tight("output-bytes:long:16777216", "output-bytes:long:10000")
	text := func(id string) string {
		return "tasks.create:" + id + "\r\n   .lambda\r\n      .text:\"" + strings.Repeat("x", 6000) + "\"\r\n"
	}
	mustRun(t, e, ps.sandbox, text("wordy")+"tasks.get:wordy\r\n") // 12 kB of 16 MB
	_, err = runWith(t, e, output, text("wordier")+"tasks.get:wordier\r\n")
	budget(err, "output-bytes")

	var many strings.Builder
	for i := range 30 {
		fmt.Fprintf(&many, "tasks.create:t%02d\r\n   .lambda\r\n      .x\r\n", i)
	}
	mustRun(t, e, ps.sandbox, many.String())
	res = mustRun(t, e, ps.sandbox, "tasks.count:t%\r\n")
	if v := res.Lambda.Child(0).Value; v != int32(30) {
		t.Fatalf("tasks stored: %v", v)
	}
	_, err = runWith(t, e, tight("nodes:long:1000000", "nodes:long:50"), "tasks.list\r\n   limit:-1\r\n")
	budget(err, "nodes")
}

// A deeply nested task is stored and run like any other: its depth was
// bounded when it was written, and the text is parsed within the depth
// budget of the policy it runs under (the same policy).
func TestDeeplyNestedTask(t *testing.T) {
	ps := newTaskPolicies(t)
	e := vocab.New()
	var b strings.Builder
	b.WriteString("tasks.create:deep\r\n   .lambda\r\n")
	for i := range 200 {
		b.WriteString(strings.Repeat("   ", i+2) + ".level\r\n")
	}
	b.WriteString(strings.Repeat("   ", 202) + "log.info:bottom\r\n")
	b.WriteString("tasks.execute:deep\r\n")
	mustRun(t, e, ps.sandbox, b.String())
	res := mustRun(t, e, ps.sandbox, "tasks.get:deep\r\n")
	if text, _ := res.Lambda.Child(0).Child(0).Value.(string); strings.Count(text, ".level") != 200 {
		t.Fatalf("stored text: %.200s", text)
	}
}

// Reading the store never writes it: a policy granting the tables read
// only sees an empty store in a database without them, and the tables are
// still absent afterwards.
func TestReadingDoesNotMakeTheStore(t *testing.T) {
	ps := newTaskPolicies(t)
	e := vocab.New()
	reader := mustParse(t, "reader.hl", strings.Replace(strings.Replace(sandboxPolicy(t), "name:sandbox", "name:reader", 1),
		"         *:read-write\n", "         tasks:read\n         task_due:read\n", 1))
	if reader.Constraints().Effects.Data.TableAccess("tasks") != whitelist.ReadOnly {
		t.Fatal("the sandbox policy changed shape; update this test")
	}
	res := mustRun(t, e, reader, "tasks.list\r\ntasks.count\r\n")
	if res.Lambda.Child(0).Len() != 0 || res.Lambda.Child(1).Value != int32(0) {
		t.Fatalf("an empty store: %s", hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{}))
	}
	_, err := runWith(t, e, reader, "tasks.get:nightly\r\n")
	if err == nil || !strings.Contains(err.Error(), `no task has the id "nightly"`) {
		t.Fatalf("get: %v", err)
	}
	res = mustRun(t, e, ps.sandbox, "data.connect\r\n   data.scalar:\"select count(*) from sqlite_master where name in ('tasks', 'task_due')\"\r\n")
	if v := res.Lambda.Child(0).Child(0).Value; v != int64(0) {
		t.Fatalf("tables made by reading: %v", v)
	}
}

// tasks.get reads [schedules] as the reference's GetEx<bool>: a bool or
// the text true/false in any case; anything else is an error naming it.
func TestTaskGetSchedulesFlag(t *testing.T) {
	ps := newTaskPolicies(t)
	e := vocab.New()
	mustRun(t, e, ps.sandbox, "tasks.create:report\r\n   due:date:\"2030-01-01T00:00:00.000Z\"\r\n   .lambda\r\n      log.info:report\r\n")
	for _, c := range []struct {
		flag string
		want bool
	}{{"bool:true", true}, {"\" TRUE \"", true}, {"False", false}, {"bool:false", false}, {"", false}} {
		src := "tasks.get:report\r\n"
		if c.flag != "" {
			src += "   schedules:" + c.flag + "\r\n"
		}
		res := mustRun(t, e, ps.sandbox, src)
		got := false
		for _, ch := range res.Lambda.Child(0).Children() {
			got = got || ch.Name == "schedules"
		}
		if got != c.want {
			t.Errorf("schedules:%s: schedules returned %v, want %v", c.flag, got, c.want)
		}
	}
	for flag, want := range map[string]string{
		"maybe": `[schedules] must be true or false, not "maybe"`,
		"int:1": "[schedules] must be true or false, not int",
	} {
		_, err := runWith(t, e, ps.sandbox, "tasks.get:report\r\n   schedules:"+flag+"\r\n")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("schedules:%s: got %v, want an error containing %s", flag, err, want)
		}
	}
}
