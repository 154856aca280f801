package dataslots

// The task family, the reference's magic.lambda.scheduler: tasks.create,
// get, list, count, update, delete and execute, tasks.schedule and
// tasks.schedule.delete. A task is named Hyperlambda kept in the table
// tasks of the policy's database (the one data.connect opens without a
// name), its schedules in task_due: the reference's SQLite schema, made on
// first write, with three more columns on tasks:
//
//	policy       the name of the policy the task was written under
//	policy_hash  that policy's hash (whitelist.Policy.Hash)
//	seal         HMAC-SHA256, under a per-user key, of the id, the
//	             Hyperlambda and the two above
//
// The tables go through the same pool, authorizer and grants as data.*:
// the policy must grant tasks and task_due (read to read, read-write to
// write). A task runs (tasks.execute) only under the very policy that
// wrote it, checked by its hash, so code written under a narrow policy
// never runs later under a wider one; the seal makes that stamp
// unforgeable by the data.* slots, which may write these tables like any
// other (a row changed outside tasks.create/update no longer runs).
//
// Differences from the reference: there is no background scheduler in
// the studio, so schedules are validated and stored, reported by
// tasks.get, and never fire; repetition patterns are checked completely
// when given (see tasks_schedule.go).

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// taskSchema is the reference's SQLite schema of the task store, with the
// policy, policy_hash and seal columns.
const taskSchema = `
create table if not exists tasks (
  id varchar(256) not null primary key collate nocase,
  description text null collate nocase,
  hyperlambda text not null collate nocase,
  created timestamp not null default current_timestamp,
  policy text not null,
  policy_hash text not null,
  seal text not null
);
create unique index if not exists tasks_id_idx on tasks (id);
create table if not exists task_due (
  id integer not null primary key autoincrement,
  task varchar(256) not null collate nocase,
  due timestamp not null,
  repeats text null,
  constraint task_due_task_fky foreign key (task) references tasks (id) on delete cascade
);
create index if not exists task_due_task_idx on task_due (task);
`

var (
	// The names the schema's statements create (SQLite's sqlite_sequence,
	// made for the first AUTOINCREMENT table, is the authorizer's own
	// case).
	taskSchemaNames = map[string]bool{"tasks": true, "task_due": true, "tasks_id_idx": true, "task_due_task_idx": true}
	taskColumns     = []string{"id", "description", "hyperlambda", "created", "policy", "policy_hash", "seal"}
	dueColumns      = []string{"id", "task", "due", "repeats"}
)

func registerTasks(e *engine.Engine) error {
	id := whitelist.Arg{Name: "id", Doc: "the task's id, else the value: a-z, 0-9, '.', '-' and '_'"}
	idValue := whitelist.ValueSpec{Expr: true, Doc: "the task's id (or [id])"}
	lambda := whitelist.Arg{Name: ".lambda", Required: true, Code: true, Doc: "the task's code, stored as Hyperlambda; tasks.execute runs it"}
	description := whitelist.Arg{Name: "description", Doc: "what the task does"}
	due := whitelist.Arg{Name: "due", Doc: "a UTC date: one schedule (any number of [due] and [repeats] may be given)"}
	repeats := whitelist.Arg{Name: "repeats", Doc: "a repetition pattern: N.seconds|minutes|hours|days|weeks|months, weekdays.HH.mm.ss or months.days.HH.mm.ss (| between several, ** for every)"}
	rw := whitelist.DBRead | whitelist.DBWrite
	return e.RegisterAll(
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.create", Doc: "stores a task (its [.lambda] as Hyperlambda) under its id, with optional schedules; [repeats] reads the clock (the time effect)",
			Value: idValue, Args: []whitelist.Arg{id, description, lambda, due, repeats}, Effects: rw}, Fn: taskSlot(whitelist.ReadWrite, createTask)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.update", Doc: "replaces a task's [.lambda] and [description] (its schedules stay)",
			Value: idValue, Args: []whitelist.Arg{id, description, lambda}, Effects: rw}, Fn: taskSlot(whitelist.ReadWrite, updateTask)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.delete", Doc: "deletes a task and its schedules",
			Value: idValue, Args: []whitelist.Arg{id}, Effects: rw}, Fn: taskSlot(whitelist.ReadWrite, deleteTask)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.get", Doc: "children := the task's hyperlambda, created, description and, with [schedules], its schedules",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the task's id"},
			Args:  []whitelist.Arg{{Name: "schedules", Doc: "true to return the schedules too (a bool, or the text true)"}}, Effects: whitelist.DBRead}, Fn: taskSlot(whitelist.ReadOnly, getTask)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.list", Doc: "children := the tasks (id, created, description), sorted by id",
			Value: whitelist.ValueSpec{Expr: true, Doc: "a filter on id or description (SQL LIKE; % is appended when it has none)"},
			Args:  []whitelist.Arg{{Name: "offset", Doc: "tasks to skip"}, {Name: "limit", Doc: "tasks at most (default 10)"}}, Effects: whitelist.DBRead}, Fn: taskSlot(whitelist.ReadOnly, listTasks)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.count", Doc: "value := the number of tasks whose id or description is LIKE the value (all without one)",
			Value: whitelist.ValueSpec{Expr: true, Doc: "a filter (SQL LIKE, as written)"}, Effects: whitelist.DBRead}, Fn: taskSlot(whitelist.ReadOnly, countTasks)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.execute", Doc: "runs a task's code under the active policy, which must be the one the task was written under",
			Value: idValue, Args: []whitelist.Arg{id}, Effects: whitelist.DBRead | whitelist.SpawnsCode, Dynamic: true}, Fn: executeTask},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.schedule", Doc: "adds a schedule to a task: [due] (a future date) or [repeats] (a pattern); value := the schedule's id. Nothing fires in the studio",
			Value: idValue, Args: []whitelist.Arg{id, due, repeats}, Effects: rw | whitelist.Time}, Fn: taskSlot(whitelist.ReadWrite, scheduleTask)},
		engine.Slot{Sig: whitelist.Signature{Name: "tasks.schedule.delete", Doc: "deletes the schedule whose id is the value",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the schedule's id"}, Effects: rw}, Fn: taskSlot(whitelist.ReadWrite, deleteSchedule)},
	)
}

// taskGrants refuses the call unless the policy grants both task tables
// need, before any database is opened.
func taskGrants(r *engine.Run, n *hyperlambda.Node, need whitelist.Access) error {
	pol := r.Policy()
	for _, t := range []string{"tasks", "task_due"} {
		if err := pol.Constraints().Effects.Data.CheckTable(t, need); err != nil {
			return r.Deny(n, fmt.Sprintf("policy %s refuses table %q: %v", pol.Name, t, err))
		}
	}
	return nil
}

// taskID reads a task's id from [id], else from the value, and checks it
// as the reference does (a-z, 0-9, '.', '-', '_'), and that it is not
// empty and fits the id column.
func taskID(r *engine.Run, n *hyperlambda.Node) (string, error) {
	v, _, err := r.Arg(n, "id")
	if err != nil {
		return "", err
	}
	if v == nil {
		if v, err = hyperlambda.Value(n); err != nil {
			return "", err
		}
	}
	if v == nil {
		return "", errors.New("needs the task's id, as its value or [id]")
	}
	id := hyperlambda.StringOf(v)
	switch {
	case id == "":
		return "", errors.New("the task's id is empty")
	case len(id) > 256:
		return "", fmt.Errorf("the task's id is %d characters long; at most 256", len(id))
	case strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != "":
		return "", fmt.Errorf("the task's id %q may only hold a-z, 0-9, '.', '-' and '_'", id)
	}
	return id, nil
}

// dueDate reads a [due] value: a date, or text that converts to one (as
// the reference's GetEx<DateTime>). Dates are UTC.
func dueDate(c *hyperlambda.Node) (time.Time, error) {
	v, err := hyperlambda.Value(c)
	if err != nil {
		return time.Time{}, err
	}
	if s, ok := v.(string); ok {
		if v, err = hyperlambda.ConvertText(s, "date"); err != nil {
			return time.Time{}, fmt.Errorf("[due]: %v", err)
		}
	}
	d, ok := v.(hyperlambda.Date)
	if !ok {
		if v == nil {
			return time.Time{}, errors.New("[due] is null; it needs a date")
		}
		return time.Time{}, fmt.Errorf("[due] needs a date, not %s", hyperlambda.TypeOf(v))
	}
	return d.Time.UTC(), nil
}

// pattern reads a [repeats] value.
func pattern(c *hyperlambda.Node) (*repetition, error) {
	v, err := hyperlambda.Value(c)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("[repeats] is null; it needs a repetition pattern such as 5.minutes")
	}
	return parseRepetition(hyperlambda.StringOf(v))
}

// clock refuses [repeats] under a policy that does not grant the clock:
// computing the next due date reads it, and tasks.create, which needs it
// only for [repeats], is otherwise a plain database write. The question
// is the one the policy answers at dispatch, asked of the slot with the
// time effect added.
func clock(r *engine.Run, n *hyperlambda.Node, slot string, effects whitelist.Effect) error {
	sig := whitelist.Signature{Name: slot, Effects: effects | whitelist.Time}
	if d := r.Policy().Allows(slot, &sig); !d.Allowed {
		return r.Deny(n, "[repeats] reads the clock to compute the next due date: "+d.Reason)
	}
	return nil
}

// schedule is one due date to store, with the pattern it repeats by.
type schedule struct {
	due     time.Time
	repeats *repetition
}

// repeating is the schedule of pattern p: its first due date from now.
func repeating(r *engine.Run, p *repetition) (schedule, error) {
	due, err := p.next(r.Now())
	if err != nil {
		return schedule{}, fmt.Errorf("[repeats] %q: %v", p, err)
	}
	return schedule{due, p}, nil
}

// taskWork is what a task slot does on the task store's connection.
type taskWork func(c *conn, tables taskTables) error

// taskSlot makes the function of a task slot that needs the access need
// to both task tables. The order is every slot's: the grants are checked
// before anything else, then prepare reads the call's arguments (all of
// them, so a call that fails on them opens no database), then the work it
// returns runs on the task store's connection, which makes the tables
// when need includes writing.
func taskSlot(need whitelist.Access, prepare func(r *engine.Run, n *hyperlambda.Node) (taskWork, error)) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		if err := taskGrants(r, n, need); err != nil {
			return err
		}
		work, err := prepare(r, n)
		if err != nil {
			return err
		}
		return taskConn(r, n, need == whitelist.ReadWrite, work)
	}
}

// taskResult replaces what n holds with a slot's result.
func taskResult(n *hyperlambda.Node, value any, children ...*hyperlambda.Node) error {
	n.Clear()
	n.Value = value
	for _, c := range children {
		n.Add(c)
	}
	return nil
}

func createTask(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	t, err := taskFromArguments(r, n)
	if err != nil {
		return nil, err
	}
	// As the reference: the repeating schedules first, then the dates,
	// each in the order written; all are checked before anything is
	// stored.
	var schedules []schedule
	for _, c := range n.Children() {
		if c.Name != "repeats" {
			continue
		}
		p, err := pattern(c)
		if err != nil {
			return nil, err
		}
		if len(schedules) == 0 {
			if err := clock(r, n, "tasks.create", whitelist.DBRead|whitelist.DBWrite); err != nil {
				return nil, err
			}
		}
		s, err := repeating(r, p)
		if err != nil {
			return nil, err
		}
		schedules = append(schedules, s)
	}
	for _, c := range n.Children() {
		if c.Name != "due" {
			continue
		}
		due, err := dueDate(c)
		if err != nil {
			return nil, err
		}
		schedules = append(schedules, schedule{due: due})
	}
	if err := t.sealed(); err != nil {
		return nil, err
	}
	return func(c *conn, _ taskTables) error {
		// Not c.change: the duplicate id is told apart inside c.run,
		// which reports the driver's error as text.
		err := c.run(r, n, false, func() error {
			_, err := c.write(r, "INSERT INTO tasks (id, description, hyperlambda, created, policy, policy_hash, seal) VALUES (?, ?, ?, ?, ?, ?, ?)",
				[]any{t.id, t.description, t.text, dbDate(r.Now()), t.policy, t.hash, t.seal})
			var se sqlite3.Error
			if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
				return fmt.Errorf("a task with the id %q already exists", t.id)
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, s := range schedules {
			if _, err := c.addSchedule(r, n, t.id, s); err != nil {
				return err
			}
		}
		return taskResult(n, nil)
	}, nil
}

// storedTask is a task as written: its text, stamped and sealed with the
// active policy.
type storedTask struct {
	id, text, policy, hash, seal string
	description                  any // nil or text
}

// taskFromArguments reads [id]/value, [description] and [.lambda] and
// stamps the result with the active policy.
func taskFromArguments(r *engine.Run, n *hyperlambda.Node) (*storedTask, error) {
	id, err := taskID(r, n)
	if err != nil {
		return nil, err
	}
	t := &storedTask{id: id, policy: r.Policy().Name, hash: r.Policy().Hash}
	if d, _, err := r.Arg(n, "description"); err != nil {
		return nil, err
	} else if d != nil {
		t.description = hyperlambda.StringOf(d)
	}
	lambda, err := r.ArgNode(n, ".lambda")
	if err != nil {
		return nil, err
	}
	if lambda.Len() == 0 {
		return nil, errors.New("[.lambda] is empty: a task needs code")
	}
	// The text is what the output budget counts: it is the task.
	t.text = hyperlambda.Format(lambda.Children(), hyperlambda.FormatOptions{})
	if err := r.Output(len(t.text)); err != nil {
		return nil, err
	}
	return t, nil
}

// sealed seals t, when it is about to be stored: the key is made on first
// use, never for a call that fails on its arguments.
func (t *storedTask) sealed() error {
	key, err := sealKey()
	if err == nil {
		t.seal = seal(key, t.id, t.text, t.policy, t.hash)
	}
	return err
}

func updateTask(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	for _, c := range n.Children() {
		if c.Name == "due" || c.Name == "repeats" {
			return nil, fmt.Errorf("[%s]: a task's schedules are not changed by tasks.update; use tasks.schedule and tasks.schedule.delete", c.Name)
		}
	}
	t, err := taskFromArguments(r, n)
	if err != nil {
		return nil, err
	}
	if err := t.sealed(); err != nil {
		return nil, err
	}
	return func(c *conn, _ taskTables) error {
		err := c.changeTask(r, n, t.id, "UPDATE tasks SET description = ?, hyperlambda = ?, policy = ?, policy_hash = ?, seal = ? WHERE id = ?",
			t.description, t.text, t.policy, t.hash, t.seal, t.id)
		if err != nil {
			return err
		}
		return taskResult(n, nil)
	}, nil
}

func notFound(id string) error { return fmt.Errorf("no task has the id %q", id) }

func deleteTask(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	id, err := taskID(r, n)
	if err != nil {
		return nil, err
	}
	return func(c *conn, _ taskTables) error {
		// The schedules go with it (the foreign key cascades).
		if err := c.changeTask(r, n, id, "DELETE FROM tasks WHERE id = ?", id); err != nil {
			return err
		}
		return taskResult(n, nil)
	}, nil
}

func getTask(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("needs the task's id as its value")
	}
	id := hyperlambda.StringOf(v)
	withSchedules, err := r.FlagArg(n, "schedules", false)
	if err != nil {
		return nil, err
	}
	return func(c *conn, tables taskTables) error {
		var text string
		var description any
		var created time.Time
		err := c.findTask(r, n, tables, id, "hyperlambda, description, created", func(vals []driver.Value) {
			text, _ = vals[0].(string)
			description = vals[1]
			created, _ = vals[2].(time.Time)
		})
		if err != nil {
			return err
		}
		var dues []*hyperlambda.Node
		if withSchedules && tables.due {
			err := c.rows(r, n, "SELECT id, due, repeats FROM task_due WHERE task = ? ORDER BY id", []any{id}, func(vals []driver.Value) error {
				s, err := scheduleNode(r, vals)
				if err == nil {
					dues = append(dues, s)
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		// As the reference: the Hyperlambda trimmed, the description only
		// when there is one, the schedules only when asked for and found.
		text = strings.TrimSpace(text)
		made := 2
		if description != nil {
			made++
		}
		if len(dues) > 0 {
			made++
		}
		if err := r.Created(made); err != nil {
			return err
		}
		if err := r.Output(len(text) + 8 + textSize(description)); err != nil {
			return err
		}
		result := []*hyperlambda.Node{hyperlambda.New("hyperlambda", text), hyperlambda.New("created", utcDate(created))}
		if description != nil {
			result = append(result, hyperlambda.New("description", description))
		}
		if len(dues) > 0 {
			result = append(result, hyperlambda.New("schedules", nil, dues...))
		}
		return taskResult(n, nil, result...)
	}, nil
}

// scheduleNode makes one schedule of tasks.get: id, due, and repeats
// when it repeats.
func scheduleNode(r *engine.Run, vals []driver.Value) (*hyperlambda.Node, error) {
	id, _ := vals[0].(int64)
	due, _ := vals[1].(time.Time)
	made := 3
	if vals[2] != nil {
		made++
	}
	if err := r.Created(made); err != nil {
		return nil, err
	}
	if err := r.Output(16 + textSize(vals[2])); err != nil {
		return nil, err
	}
	s := hyperlambda.New(".", nil, hyperlambda.New("id", int32(id)), hyperlambda.New("due", utcDate(due)))
	if vals[2] != nil {
		s.Add(hyperlambda.New("repeats", vals[2]))
	}
	return s, nil
}

func textSize(v any) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return 0
}

// filter reads the LIKE filter of tasks.list and tasks.count: the WHERE
// clause of their query with its arguments, none when there is no filter.
func filter(n *hyperlambda.Node, prefix bool) (where string, args []any, err error) {
	v, err := hyperlambda.Value(n)
	if err != nil || v == nil {
		return "", nil, err
	}
	f := hyperlambda.StringOf(v)
	if prefix && !strings.Contains(f, "%") {
		f += "%" // as the reference: a filter without a wildcard is a prefix
	}
	if f == "" {
		return "", nil, nil
	}
	return " WHERE id LIKE ? OR description LIKE ?", []any{f, f}, nil
}

func listTasks(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	where, args, err := filter(n, true)
	if err != nil {
		return nil, err
	}
	offset, err := integerArg(r, n, "offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := integerArg(r, n, "limit", 10)
	if err != nil {
		return nil, err
	}
	q := "SELECT id, description, created FROM tasks" + where + " ORDER BY id LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	return func(c *conn, tables taskTables) error {
		var out []*hyperlambda.Node
		if tables.tasks {
			err := c.rows(r, n, q, args, func(vals []driver.Value) error {
				id, _ := vals[0].(string)
				created, _ := vals[2].(time.Time)
				made := 3
				if vals[1] != nil {
					made++
				}
				if err := r.Created(made); err != nil {
					return err
				}
				if err := r.Output(len(id) + 8 + textSize(vals[1])); err != nil {
					return err
				}
				t := hyperlambda.New(".", nil, hyperlambda.New("id", id), hyperlambda.New("created", utcDate(created)))
				if vals[1] != nil {
					t.Add(hyperlambda.New("description", vals[1]))
				}
				out = append(out, t)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return taskResult(n, nil, out...)
	}, nil
}

func countTasks(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	where, args, err := filter(n, false)
	if err != nil {
		return nil, err
	}
	return func(c *conn, tables taskTables) error {
		var count int64
		if tables.tasks {
			_, err := c.row(r, n, "SELECT count(*) FROM tasks"+where, args, func(vals []driver.Value) {
				count, _ = vals[0].(int64)
			})
			if err != nil {
				return err
			}
		}
		return taskResult(n, int32(count))
	}, nil
}

func executeTask(r *engine.Run, n *hyperlambda.Node) error {
	// A task slot's body reads the task; its code runs only after that,
	// once a connection taken for the read is given back (the code may
	// use the database itself).
	var id string
	var stored storedTask
	load := taskSlot(whitelist.ReadOnly, func(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
		var err error
		if id, err = taskID(r, n); err != nil {
			return nil, err
		}
		return func(c *conn, tables taskTables) error {
			return c.findTask(r, n, tables, id, "id, hyperlambda, policy, policy_hash, seal", func(vals []driver.Value) {
				for i, s := range []*string{&stored.id, &stored.text, &stored.policy, &stored.hash, &stored.seal} {
					*s, _ = vals[i].(string)
				}
			})
		}, nil
	})
	if err := load(r, n); err != nil {
		return err
	}
	// The stamp decides under which policy the code may run; the seal
	// shows that tasks.create or tasks.update wrote it, not a data.* slot.
	key, err := sealKey()
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(stored.seal), []byte(seal(key, stored.id, stored.text, stored.policy, stored.hash))) {
		return r.Deny(n, fmt.Sprintf("task %q was changed outside tasks.create and tasks.update (its seal does not match its content): it is not run", id))
	}
	pol := r.Policy()
	if stored.hash != pol.Hash {
		// The same refusal as a dynamic slot's node arguments (signal):
		// code must not run under a policy other than the one it was
		// written for, which may grant more.
		was := "policy " + stored.policy
		if stored.policy == pol.Name {
			was = fmt.Sprintf("another version of policy %s (hash %.12s, now %.12s)", pol.Name, stored.hash, pol.Hash)
		}
		return r.Deny(n, fmt.Sprintf("task %q was written under %s, not %s: a task runs only under the policy it was written under", id, was, pol.Name))
	}
	body, err := hyperlambda.ParseString(stored.text, r.ParseOptions(false))
	if stopped := r.ParseStopped(err); stopped != nil {
		return stopped
	}
	if err != nil {
		return fmt.Errorf("task %q: %v", id, err)
	}
	count := 0
	body.Walk(func(*hyperlambda.Node) bool { count++; return true })
	if err := r.Created(count); err != nil {
		return err
	}
	// Like [eval] of data: every statement goes through the dispatch
	// point under the active policy and the run's budgets. Its result is
	// dropped, as the reference's.
	if err := r.Call(body, &hyperlambda.Node{}); err != nil {
		return err
	}
	return taskResult(n, nil)
}

func scheduleTask(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	id, err := taskID(r, n)
	if err != nil {
		return nil, err
	}
	var s schedule
	if rn, err := r.ArgNode(n, "repeats"); err != nil {
		return nil, err
	} else if rn != nil {
		p, err := pattern(rn)
		if err != nil {
			return nil, err
		}
		if s, err = repeating(r, p); err != nil {
			return nil, err
		}
	} else {
		dn, err := r.ArgNode(n, "due")
		if err != nil {
			return nil, err
		}
		if dn == nil {
			return nil, errors.New("needs [due] (a date) or [repeats] (a pattern)")
		}
		if s.due, err = dueDate(dn); err != nil {
			return nil, err
		}
		if now := r.Now(); s.due.Before(now) {
			return nil, fmt.Errorf("[due] %s is in the past (now is %s)", dbDate(s.due), dbDate(now))
		}
	}
	return func(c *conn, tables taskTables) error {
		if err := c.findTask(r, n, tables, id, "1", nil); err != nil {
			return err
		}
		sid, err := c.addSchedule(r, n, id, s)
		if err != nil {
			return err
		}
		return taskResult(n, int32(sid))
	}, nil
}

func deleteSchedule(r *engine.Run, n *hyperlambda.Node) (taskWork, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return nil, err
	}
	var id int64
	switch x := v.(type) {
	case int32:
		id = int64(x)
	case int64:
		id = x
	case string:
		if id, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
			return nil, fmt.Errorf("needs a schedule's id (an integer), not %q", x)
		}
	default:
		return nil, fmt.Errorf("needs a schedule's id (an integer), not %s", hyperlambda.TypeOf(v))
	}
	return func(c *conn, _ taskTables) error {
		// As the reference: deleting a schedule that is not there is not
		// an error.
		if _, err := c.change(r, n, "DELETE FROM task_due WHERE id = ?", id); err != nil {
			return err
		}
		return taskResult(n, nil)
	}, nil
}

// addSchedule stores one schedule of task id and returns its id.
func (c *conn) addSchedule(r *engine.Run, n *hyperlambda.Node, id string, s schedule) (int64, error) {
	var repeats any
	if s.repeats != nil {
		repeats = s.repeats.String()
	}
	var sid int64
	_, err := c.row(r, n, "INSERT INTO task_due (task, due, repeats) VALUES (?, ?, ?) RETURNING id", []any{id, dbDate(s.due), repeats}, func(vals []driver.Value) {
		sid, _ = vals[0].(int64)
	})
	return sid, err
}

// findTask reads the columns of task id's row with read; an error when
// there is no such task.
func (c *conn) findTask(r *engine.Run, n *hyperlambda.Node, tables taskTables, id, columns string, read func([]driver.Value)) error {
	if !tables.tasks {
		return notFound(id)
	}
	found, err := c.row(r, n, "SELECT "+columns+" FROM tasks WHERE id = ?", []any{id}, read)
	if err == nil && !found {
		err = notFound(id)
	}
	return err
}

// changeTask runs a write statement of the task store on task id's row;
// an error when it changed none (there is no such task).
func (c *conn) changeTask(r *engine.Run, n *hyperlambda.Node, id, q string, args ...any) error {
	changes, err := c.change(r, n, q, args...)
	if err == nil && changes != 1 {
		err = notFound(id)
	}
	return err
}

// change runs a write statement of the task store and returns how many
// rows it changed.
func (c *conn) change(r *engine.Run, n *hyperlambda.Node, q string, args ...any) (int64, error) {
	var changes int64
	err := c.run(r, n, false, func() error {
		var err error
		changes, err = c.write(r, q, args)
		return err
	})
	return changes, err
}

// row runs a query of the task store for its first row, which read (when
// given) takes; found is false when there is none.
func (c *conn) row(r *engine.Run, n *hyperlambda.Node, q string, args []any, read func([]driver.Value)) (found bool, err error) {
	err = c.rows(r, n, q, args, func(vals []driver.Value) error {
		if read != nil {
			read(vals)
		}
		found = true
		return errEnough
	})
	return found, err
}

// rows runs a built statement of the task store on c, as data.* runs its
// own (the authorizer's refusals become the run's denials). An error of
// row (a budget) comes back as it is, not as a database error.
func (c *conn) rows(r *engine.Run, n *hyperlambda.Node, q string, args []any, row func([]driver.Value) error) error {
	var rowErr error
	err := c.run(r, n, false, func() error {
		return c.built(r.Context(), q, args, func(_ []string, vals []driver.Value) error {
			err := row(vals)
			if err != nil && err != errEnough {
				rowErr = err
			}
			return err
		})
	})
	if rowErr != nil {
		return rowErr
	}
	return err
}

// taskTables says which of the task store's tables a database holds.
type taskTables struct{ tasks, due bool }

// taskConn runs fn on a connection to the policy's default database: the
// run's own when a data.connect on that database encloses the call (so a
// transaction there holds the task writes too), else one taken for this
// call. A write makes the tables first when they are missing; a read of a
// database without them sees no tasks. Tables of these names that are
// not the task store's (a to-do app's tasks table) are refused.
func taskConn(r *engine.Run, n *hyperlambda.Node, write bool, fn func(*conn, taskTables) error) error {
	pol := r.Policy()
	name, _, err := pol.Constraints().Effects.Data.Database("")
	if err != nil {
		return r.Deny(n, fmt.Sprintf("policy %s names no database for tasks (they live in the one data.connect opens without a name): %v", pol.Name, err))
	}
	var c *conn
	if s, ok := runs.Load(r); ok {
		cs := s.(*state).conns
		for i := len(cs) - 1; i >= 0 && c == nil; i-- {
			if cs[i].name == name {
				c = cs[i]
			}
		}
	}
	if c == nil {
		if c, err = open(r, n, ""); err != nil {
			return err
		}
		defer c.close()
	}
	tables, err := c.taskTables(r, n, write)
	if err != nil {
		return err
	}
	return fn(c, tables)
}

func (c *conn) taskTables(r *engine.Run, n *hyperlambda.Node, create bool) (taskTables, error) {
	var t taskTables
	tasks, err := c.columns(r, n, "tasks")
	if err != nil {
		return t, err
	}
	due, err := c.columns(r, n, "task_due")
	if err != nil {
		return t, err
	}
	if create && (len(tasks) == 0 || len(due) == 0) {
		err := c.run(r, n, false, func() error {
			c.auth.schema = taskSchemaNames
			defer func() { c.auth.schema = nil }()
			_, err := c.c.ExecContext(r.Context(), taskSchema)
			return err
		})
		if err != nil {
			return t, err
		}
		if tasks, err = c.columns(r, n, "tasks"); err != nil {
			return t, err
		}
		if due, err = c.columns(r, n, "task_due"); err != nil {
			return t, err
		}
	}
	for _, check := range []struct {
		table string
		have  map[string]bool
		need  []string
	}{{"tasks", tasks, taskColumns}, {"task_due", due, dueColumns}} {
		if len(check.have) == 0 {
			continue
		}
		var missing []string
		for _, col := range check.need {
			if !check.have[col] {
				missing = append(missing, col)
			}
		}
		if len(missing) > 0 {
			return t, fmt.Errorf("database %s has a table %s that is not the task store's (it lacks the columns %s); tasks.* keep tasks in the tables tasks and task_due",
				c.name, check.table, strings.Join(missing, ", "))
		}
	}
	return taskTables{tasks: len(tasks) > 0, due: len(due) > 0}, nil
}

// columns lists the columns of table (none when there is no such table).
func (c *conn) columns(r *engine.Run, n *hyperlambda.Node, table string) (map[string]bool, error) {
	cols := map[string]bool{}
	err := c.rows(r, n, "PRAGMA table_info("+table+")", nil, func(vals []driver.Value) error {
		name, _ := vals[1].(string)
		cols[strings.ToLower(name)] = true
		return nil
	})
	return cols, err
}

// dbDate is how the task store keeps a date: UTC text with milliseconds,
// which the driver reads back as a time from the timestamp columns.
func dbDate(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// utcDate is a stored date as a Hyperlambda date: UTC, as the reference
// marks the dates it reads from SQLite.
func utcDate(t time.Time) hyperlambda.Date {
	return hyperlambda.Date{Time: t.UTC(), Kind: hyperlambda.DateUTC}
}

// seal authenticates a stored task: an HMAC over its id, text and stamp,
// each length-prefixed, under the per-user key.
func seal(key []byte, fields ...string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("hlstudio task seal 1\x00"))
	for _, f := range fields {
		var size [8]byte
		binary.BigEndian.PutUint64(size[:], uint64(len(f)))
		m.Write(size[:])
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// sealKeyFile holds the key, in the per-user data folder ("{data}"), outside
// the sandbox folder the built-in policies give to files and databases: no
// Hyperlambda slot reads it unless a policy makes {data} itself its files
// root.
const sealKeyFile = "task-seal.key"

var sealKeys sync.Map // key file -> []byte

// sealKey returns the per-user key, made on first use.
func sealKey() ([]byte, error) {
	home, err := whitelist.DataHome()
	if err != nil {
		return nil, err
	}
	file := filepath.Join(home, sealKeyFile)
	if k, ok := sealKeys.Load(file); ok {
		return k.([]byte), nil
	}
	key, err := loadSealKey(home, file)
	if err != nil {
		return nil, fmt.Errorf("the key that seals stored tasks (%s): %v", file, err)
	}
	k, _ := sealKeys.LoadOrStore(file, key)
	return k.([]byte), nil
}

func loadSealKey(home, file string) ([]byte, error) {
	for range 2 {
		data, err := os.ReadFile(file)
		if err == nil {
			key, err := hex.DecodeString(strings.TrimSpace(string(data)))
			if err != nil || len(key) != 32 {
				return nil, errors.New("it is damaged (delete it to make a new one; the tasks stored until then will no longer run)")
			}
			return key, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err := os.MkdirAll(home, 0o700); err != nil {
			return nil, err
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		// Written aside and linked into place, so another process never
		// reads half a key; if one got there first, its key is the key.
		tmp, err := os.CreateTemp(home, ".task-seal-*")
		if err != nil {
			return nil, err
		}
		_, werr := tmp.WriteString(hex.EncodeToString(key) + "\n")
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Link(tmp.Name(), file)
		}
		os.Remove(tmp.Name())
		if werr == nil {
			return key, nil
		}
		if !errors.Is(werr, fs.ErrExist) {
			return nil, werr
		}
	}
	return nil, errors.New("it could not be read or made")
}
