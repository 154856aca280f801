// Package dataslots is the data.* family over SQLite (mattn/go-sqlite3):
// data.connect, the CRUD builders data.create/read/update/delete, raw SQL
// (data.select, data.scalar, data.execute) and transactions, on the
// database files the policy names inside its files root; each also under
// the reference's sqlite.* name.
//
// SQL is built with bound parameters only: values never become SQL text.
// Table and column names must be plain identifiers, are written in
// brackets (which SQLite, unlike double quotes, never reads as a string
// when no such column exists, so the schema decides) and the tables must
// be granted by the policy. Every statement, built or raw, is also
// checked by SQLite's authorizer callback against the policy's table
// grants while SQLite prepares it; raw SQL is a separate grant (raw-sql)
// and runs read-only unless that grant is read-write.
//
// The package also holds the reference's task store (tasks.*, see
// tasks.go): tasks live in two tables of the policy's database and go
// through the same grants; a task runs only under the policy that wrote
// it, and nothing fires on a schedule in the studio.
package dataslots

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	table := whitelist.Arg{Name: "table", Type: "string", Required: true, Doc: "a table the policy grants"}
	where := whitelist.Arg{Name: "where", Doc: "and/or groups of column.op:value (eq neq mt mteq lt lteq like ilike in)"}
	values := whitelist.Arg{Name: "values", Doc: "children are column:value"}
	sqlValue := whitelist.ValueSpec{Required: true, Expr: true, Doc: "SQL; children are its @parameters"}
	slots := []struct {
		sig whitelist.Signature
		fn  engine.SlotFunc
	}{
		{whitelist.Signature{Name: "data.connect", Doc: "opens the named database of the policy and evaluates its children with it",
			Value:    whitelist.ValueSpec{Expr: true, Doc: "database name (or [generic|name]); the policy's only one when absent"},
			Children: whitelist.Code, Effects: whitelist.DBRead}, connect},
		{whitelist.Signature{Name: "data.read", Doc: "children := the rows of a select built from its arguments",
			Args: []whitelist.Arg{table, {Name: "columns", Doc: "children name the columns, each optionally with [as] (its name in the rows); all when absent"}, where,
				{Name: "order", Type: "string", Doc: "column(s) to sort by, separated by commas; a [direction] child overrides [direction]"}, {Name: "direction", Type: "string", Doc: "asc or desc"},
				{Name: "limit", Doc: "rows at most (default 25, -1 none)"}, {Name: "offset", Doc: "rows to skip"}},
			Effects: whitelist.DBRead}, read},
		{whitelist.Signature{Name: "data.create", Doc: "inserts [values] into [table]; value := the new row's id",
			Args: []whitelist.Arg{table, values, {Name: "return-id", Type: "bool", Doc: "default true"}}, Effects: whitelist.DBWrite}, create},
		{whitelist.Signature{Name: "data.update", Doc: "updates [values] in the rows [where] selects; value := rows changed",
			Args: []whitelist.Arg{table, values, where}, Effects: whitelist.DBRead | whitelist.DBWrite}, update},
		{whitelist.Signature{Name: "data.delete", Doc: "deletes the rows [where] selects; value := rows deleted",
			Args: []whitelist.Arg{table, where}, Effects: whitelist.DBRead | whitelist.DBWrite}, del},
		{whitelist.Signature{Name: "data.select", Doc: "raw SQL (needs raw-sql); children := the rows", Value: sqlValue,
			Children: whitelist.Arguments, Effects: whitelist.DBRead}, rawSelect(false)},
		{whitelist.Signature{Name: "data.scalar", Doc: "raw SQL (needs raw-sql); value := the first column of the first row", Value: sqlValue,
			Children: whitelist.Arguments, Effects: whitelist.DBRead}, rawSelect(true)},
		{whitelist.Signature{Name: "data.execute", Doc: "raw SQL (needs raw-sql, read-write to change anything); value := rows changed", Value: sqlValue,
			Children: whitelist.Arguments, Effects: whitelist.DBRead | whitelist.DBWrite}, execute},
		{whitelist.Signature{Name: "data.transaction.create", Doc: "evaluates its children in a transaction, rolled back unless committed",
			Children: whitelist.Code, Effects: whitelist.DBRead}, transaction},
		{whitelist.Signature{Name: "data.transaction.commit", Doc: "commits the transaction", Effects: whitelist.DBRead}, endTransaction("COMMIT")},
		{whitelist.Signature{Name: "data.transaction.rollback", Doc: "rolls the transaction back", Effects: whitelist.DBRead}, endTransaction("ROLLBACK")},
	}
	for _, s := range slots {
		if err := e.Register(engine.Slot{Sig: s.sig, Fn: s.fn}); err != nil {
			return err
		}
		// The reference's sqlite.* slots are what its data.* slots run
		// on a SQLite database; here every database is SQLite, so each
		// is the same slot under the other name (one connection scope,
		// so data.read inside sqlite.connect works as in the reference).
		// So are its MySQL, PostgreSQL and SQL Server families, run on
		// the policy's SQLite database: the built statements mean the
		// same, raw SQL runs when SQLite understands it (see dialects).
		for _, family := range []string{"sqlite", "mysql", "pgsql", "mssql"} {
			alias := s.sig
			alias.Name = family + "." + strings.TrimPrefix(s.sig.Name, "data.")
			alias.Doc = "the same as [" + s.sig.Name + "]: " + s.sig.Doc
			if dialect := dialects[family]; dialect != "" {
				alias.Doc = "the same as [" + s.sig.Name + "], on the policy's SQLite database (" + dialect + " SQL runs only where SQLite shares it): " + s.sig.Doc
			}
			alias.AliasOf = s.sig.Name
			if err := e.Register(engine.Slot{Sig: alias, Fn: s.fn}); err != nil {
				return err
			}
		}
	}
	if err := e.Register(flushSlot); err != nil { // flush.go
		return err
	}
	return registerTasks(e)
}

// dialects names the SQL of the reference's database families that run
// here on SQLite.
var dialects = map[string]string{"mysql": "MySQL", "pgsql": "PostgreSQL", "mssql": "SQL Server"}

// dialectOf is the SQL dialect a slot's name promises, "" for SQLite's.
func dialectOf(slot string) string {
	family, _, _ := strings.Cut(slot, ".")
	return dialects[family]
}

func connect(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	c, err := open(r, n, hyperlambda.StringOf(v))
	if err != nil {
		return err
	}
	defer c.close()
	s, _ := runs.LoadOrStore(r, &state{})
	st := s.(*state)
	for _, outer := range st.conns {
		c.nested = c.nested || outer.file == c.file
	}
	st.conns = append(st.conns, c)
	defer func() {
		st.conns = st.conns[:len(st.conns)-1]
		if len(st.conns) == 0 {
			runs.Delete(r)
		}
	}()
	return r.Eval(n)
}

// withConn runs fn on the innermost connection of the run, or on one
// opened for this statement alone when no [data.connect] encloses it.
func withConn(r *engine.Run, n *hyperlambda.Node, fn func(*conn) error) error {
	if c := current(r); c != nil {
		return fn(c)
	}
	c, err := open(r, n, "")
	if err != nil {
		return err
	}
	defer c.close()
	return fn(c)
}

// run executes one statement on c and reports a refusal of SQLite's
// authorizer as the run's denial, with the table and the policy.
func (c *conn) run(r *engine.Run, n *hyperlambda.Node, raw bool, fn func() error) error {
	c.auth.raw, c.auth.denied, c.auth.wrote = raw, "", false
	c.raw = c.raw || raw
	err := fn()
	c.auth.raw, c.auth.indexing = false, ""
	if err == nil && c.auth.wrote && c.nested {
		err = c.checkLog(r)
	}
	if c.auth.denied != "" {
		return r.Deny(n, fmt.Sprintf("policy %s refuses the statement on database %s: %s", c.auth.policy, c.name, c.auth.denied))
	}
	if err != nil {
		// A budget spent or a stop while rows were being made is the
		// run's, not the database's: kept as it is, so [try] cannot
		// catch it and the report names the budget.
		var budget *engine.BudgetError
		var canceled *engine.CanceledError
		if errors.As(err, &budget) || errors.As(err, &canceled) {
			return err
		}
		var se sqlite3.Error
		if errors.As(err, &se) && se.Code == sqlite3.ErrTooBig {
			return fmt.Errorf("database %s: a value would be larger than the run's output budget (%d bytes): %v", c.name, r.Budgets().OutputBytes, err)
		}
		if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
			return fmt.Errorf("database %s would grow past max-database-bytes %d of policy %s: %v", c.name, r.Policy().Constraints().Effects.Data.MaxDatabaseBytes, c.auth.policy, err)
		}
		if dialect := dialectOf(n.Name); raw && dialect != "" {
			// Raw SQL written for another database: say where it ran.
			return interrupted(r, fmt.Errorf("database %s: %v ([%s] runs its SQL on SQLite here: %s syntax SQLite does not share fails)", c.name, err, n.Name, dialect))
		}
		return interrupted(r, fmt.Errorf("database %s: %v", c.name, err))
	}
	return nil
}

// checkLog refuses a write that took the write-ahead log past the
// policy's max-database-bytes: max_page_count bounds the database, not the
// log, and a read snapshot held by the connection around this one keeps
// every checkpoint from resetting it, so each commit appended to it (audit
// 24: 20 MB under a 1 MiB limit). Only checked for nested connections to
// one file, the way a run holds such a snapshot; the log stays within a
// statement of the limit.
func (c *conn) checkLog(r *engine.Run) error {
	limit := r.Policy().Constraints().Effects.Data.MaxDatabaseBytes
	if fi, err := os.Stat(c.file + "-wal"); err == nil && fi.Size() > limit {
		return fmt.Errorf("database %s: its write-ahead log grew past max-database-bytes %d while a connection around this one holds a read (a [data.connect] inside another's transaction): end the outer transaction first", c.name, limit)
	}
	return nil
}

// tableArg reads [table] and checks the policy grants need on it.
func tableArg(r *engine.Run, n *hyperlambda.Node, need whitelist.Access) (string, error) {
	v, _, err := r.Arg(n, "table")
	if err != nil {
		return "", err
	}
	t := hyperlambda.StringOf(v)
	if err := r.Policy().Constraints().Effects.Data.CheckTable(t, need); err != nil {
		return "", r.Deny(n, fmt.Sprintf("policy %s refuses table %q: %v", r.Policy().Name, t, err))
	}
	return t, nil
}

// ident quotes a checked identifier; names never come from anywhere else.
func ident(r *engine.Run, n *hyperlambda.Node, kind, s string) (string, error) {
	if err := whitelist.CheckIdentifier(kind, s); err != nil {
		return "", r.Deny(n, fmt.Sprintf("policy %s refuses %v", r.Policy().Name, err))
	}
	return "[" + s + "]", nil
}

// column quotes a column name, plain or qualified by its table
// ("users.name", for joins); each part is a checked identifier.
func column(r *engine.Run, n *hyperlambda.Node, s string) (string, error) {
	table, col, qualified := strings.Cut(s, ".")
	if !qualified {
		return ident(r, n, "column", s)
	}
	t, err := ident(r, n, "table", table)
	if err != nil {
		return "", err
	}
	c, err := ident(r, n, "column", col)
	if err != nil {
		return "", err
	}
	return t + "." + c, nil
}

// joins writes the [join] children of the [table] argument, Magic's form:
//
//	table:users
//	   join:roles
//	      type:left          // inner (default) or left
//	      on
//	         and
//	            users.id:roles.user_id
//
// Every joined table passes the policy's read grant like the main one.
func joins(r *engine.Run, n *hyperlambda.Node, q *strings.Builder) error {
	tn, err := r.ArgNode(n, "table")
	if err != nil || tn == nil {
		return err
	}
	for _, j := range tn.Children() {
		if j.Name != "join" {
			return fmt.Errorf("[table] takes only [join] children, not [%s]", j.Name)
		}
		table := hyperlambda.StringOf(j.Value)
		if err := r.Policy().Constraints().Effects.Data.CheckTable(table, whitelist.ReadOnly); err != nil {
			return r.Deny(n, fmt.Sprintf("policy %s refuses table %q: %v", r.Policy().Name, table, err))
		}
		kind := "INNER"
		var on *hyperlambda.Node
		for _, c := range j.Children() {
			switch c.Name {
			case "type":
				switch strings.ToLower(hyperlambda.StringOf(c.Value)) {
				case "inner":
				case "left":
					kind = "LEFT"
				default:
					return fmt.Errorf("[join] [type] must be inner or left, not %q", hyperlambda.StringOf(c.Value))
				}
			case "on":
				on = c
			default:
				return fmt.Errorf("[join] takes [type] and [on], not [%s]", c.Name)
			}
		}
		if on == nil || on.Len() == 0 {
			return fmt.Errorf("[join:%s] needs [on] with column pairs, e.g. users.id:roles.user_id", table)
		}
		name, _ := ident(r, n, "table", table)
		q.WriteString(" " + kind + " JOIN " + name + " ON ")
		if err := joinOn(r, n, on, "AND", q); err != nil {
			return err
		}
	}
	return nil
}

// joinOn writes column pairs (left:right, both columns) joined by op;
// [and]/[or] children nest.
func joinOn(r *engine.Run, n, g *hyperlambda.Node, op string, q *strings.Builder) error {
	q.WriteString("(")
	for i, c := range g.Children() {
		if i > 0 {
			q.WriteString(" " + op + " ")
		}
		if c.Name == "and" || c.Name == "or" {
			if err := joinOn(r, n, c, strings.ToUpper(c.Name), q); err != nil {
				return err
			}
			continue
		}
		left, err := column(r, n, c.Name)
		if err != nil {
			return err
		}
		right, err := column(r, n, hyperlambda.StringOf(c.Value))
		if err != nil {
			return err
		}
		q.WriteString(left + " = " + right)
	}
	q.WriteString(")")
	return nil
}

// param converts a Hyperlambda value into a bound SQL parameter.
func param(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, int64, float64, bool, []byte:
		return x, nil
	case int32:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint64:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case decimal.Decimal:
		return x.String(), nil
	case hyperlambda.Date:
		return x.Time.UTC().Format("2006-01-02T15:04:05.000Z"), nil
	case *hyperlambda.Node, *hyperlambda.Expression:
		return nil, fmt.Errorf("a %s cannot be a SQL value", hyperlambda.TypeOf(v))
	}
	return hyperlambda.StringOf(v), nil
}

// sqlValue turns a column value read from SQLite into a Hyperlambda one.
func sqlValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return hyperlambda.Date{Time: x}
	case []byte:
		return append([]byte(nil), x...)
	}
	return v
}

// where appends the WHERE clause of [where] to q and its values to args.
// An [and]/[or] group without conditions (the usual way of adding them
// from the arguments at run time, when none were given) is left out, as
// in the reference; when nothing is left, a read gets no WHERE clause,
// and an update or a delete (write) is refused: a filter that came out
// empty must not widen to every row of the table. Leaving [where] out
// altogether still changes every row, as written.
func where(r *engine.Run, n *hyperlambda.Node, q *strings.Builder, args []any, write bool) ([]any, error) {
	w, err := r.ArgNode(n, "where")
	if err != nil || w == nil {
		return args, err
	}
	if !hasCondition(w) {
		if write {
			return nil, fmt.Errorf("[where] holds no condition: refused, as it would change every row (leave [where] out to mean every row)")
		}
		return args, nil
	}
	q.WriteString(" WHERE ")
	return group(r, n, w, "AND", q, args)
}

// hasCondition reports whether the group g holds a condition, directly
// or in a nested [and]/[or].
func hasCondition(g *hyperlambda.Node) bool {
	for _, c := range g.Children() {
		if c.Name != "and" && c.Name != "or" || hasCondition(c) {
			return true
		}
	}
	return false
}

var ops = map[string]string{"eq": "=", "neq": "!=", "mt": ">", "mteq": ">=", "lt": "<", "lteq": "<=", "like": "LIKE", "ilike": "LIKE", "in": "IN"}

// group writes the conditions of g joined by join: children named and/or
// are nested groups (left out when they hold no condition), others
// column.op:value (a bare column means eq). g holds a condition.
func group(r *engine.Run, n, g *hyperlambda.Node, join string, q *strings.Builder, args []any) ([]any, error) {
	q.WriteString("(")
	written := 0
	for _, c := range g.Children() {
		nested := c.Name == "and" || c.Name == "or"
		if nested && !hasCondition(c) {
			continue
		}
		if written > 0 {
			q.WriteString(" " + join + " ")
		}
		written++
		var err error
		if nested {
			args, err = group(r, n, c, strings.ToUpper(c.Name), q, args)
		} else {
			args, err = condition(r, n, c, q, args)
		}
		if err != nil {
			return nil, err
		}
	}
	q.WriteString(")")
	return args, nil
}

func condition(r *engine.Run, n, c *hyperlambda.Node, q *strings.Builder, args []any) ([]any, error) {
	col, op := c.Name, "eq"
	if i := strings.LastIndexByte(col, '.'); i >= 0 {
		if _, known := ops[col[i+1:]]; known {
			col, op = col[:i], col[i+1:]
		}
	}
	name, err := column(r, n, col)
	if err != nil {
		return nil, err
	}
	if op == "in" {
		q.WriteString(name + " IN (")
		for j, item := range c.Children() {
			v, err := hyperlambda.Value(item)
			if err != nil {
				return nil, err
			}
			p, err := param(v)
			if err != nil {
				return nil, err
			}
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString("?")
			args = append(args, p)
		}
		if c.Len() == 0 {
			q.WriteString("NULL")
		}
		q.WriteString(")")
		return args, nil
	}
	v, err := hyperlambda.Value(c)
	if err != nil {
		return nil, err
	}
	p, err := param(v)
	if err != nil {
		return nil, err
	}
	if p == nil {
		// As the reference: null is only compared for (in)equality, and
		// like/ilike with null match every value that is not null.
		switch op {
		case "eq":
			q.WriteString(name + " IS NULL")
		case "neq":
			q.WriteString(name + " IS NOT NULL")
		case "like", "ilike":
			q.WriteString(name + " LIKE '%'")
		default:
			return nil, fmt.Errorf("[where]/%s: %s is an unsupported comparison operator for null value", c.Name, ops[op])
		}
		return args, nil
	}
	switch {
	case op == "ilike":
		q.WriteString("lower(" + name + ") LIKE lower(?)")
	default:
		q.WriteString(name + " " + ops[op] + " ?")
	}
	return append(args, p), nil
}

// columnValues reads [values] as quoted column names and bound values.
func columnValues(r *engine.Run, n *hyperlambda.Node) ([]string, []any, error) {
	vn, err := r.ArgNode(n, "values")
	if err != nil {
		return nil, nil, err
	}
	if vn == nil || vn.Len() == 0 {
		return nil, nil, fmt.Errorf("needs [values] with column:value children")
	}
	var cols []string
	var args []any
	for _, c := range vn.Children() {
		name, err := ident(r, n, "column", c.Name)
		if err != nil {
			return nil, nil, err
		}
		v, err := hyperlambda.Value(c)
		if err != nil {
			return nil, nil, err
		}
		p, err := param(v)
		if err != nil {
			return nil, nil, fmt.Errorf("[values]/%s: %v", c.Name, err)
		}
		cols = append(cols, name)
		args = append(args, p)
	}
	return cols, args, nil
}

func integerArg(r *engine.Run, n *hyperlambda.Node, name string, def int64) (int64, error) {
	v, ok, err := r.Arg(n, name)
	if err != nil || !ok {
		return def, err
	}
	switch x := v.(type) {
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case string:
		var i int64
		if _, err := fmt.Sscan(x, &i); err == nil {
			return i, nil
		}
	}
	return 0, fmt.Errorf("[%s] must be an integer", name)
}

// selectColumn writes one child of [columns]: the column, and AS its
// [as] child (an identifier) when it has one, else AS its qualified name
// for a "table.column" (the row keeps that name, as the reference's
// joins do).
func selectColumn(r *engine.Run, n, c *hyperlambda.Node, q *strings.Builder) error {
	name, err := column(r, n, c.Name)
	if err != nil {
		return err
	}
	alias := ""
	for i, o := range c.Children() {
		if o.Name != "as" || i > 0 {
			return fmt.Errorf("[columns]/%s takes one child, [as] (the name of the column in the rows)", c.Name)
		}
		v, err := hyperlambda.Value(o)
		if err != nil {
			return err
		}
		alias = hyperlambda.StringOf(v)
	}
	q.WriteString(name)
	switch {
	case alias != "":
		a, err := ident(r, n, "column alias", alias)
		if err != nil {
			return err
		}
		q.WriteString(" AS " + a)
	case strings.Contains(c.Name, "."):
		q.WriteString(" AS [" + c.Name + "]")
	}
	return nil
}

// orderBy writes the ORDER BY clause of the [order] arguments: each
// names one column or several separated by commas, sorted in the
// direction of its own [direction] child, else of the [direction]
// argument, else ascending. An [order] whose value is null (an optional
// argument that was not given) sorts by nothing.
func orderBy(r *engine.Run, n *hyperlambda.Node, q *strings.Builder) error {
	if o, err := r.ArgNode(n, "order"); err != nil || o == nil {
		return err
	}
	dflt := ""
	if d, ok, err := r.Arg(n, "direction"); err != nil {
		return err
	} else if ok {
		if dflt, err = direction(d); err != nil {
			return err
		}
	}
	written := 0
	for _, o := range n.Children() {
		if o.Name != "order" {
			continue
		}
		v, err := hyperlambda.Value(o)
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		cols, ok := v.(string)
		if !ok {
			return fmt.Errorf("argument [order] must be of type string, not %s", hyperlambda.TypeOf(v))
		}
		dir := dflt
		for _, c := range o.Children() {
			if c.Name != "direction" {
				return fmt.Errorf("[order] takes a [direction] child, not [%s]", c.Name)
			}
			d, err := hyperlambda.Value(c)
			if err != nil {
				return err
			}
			if d != nil {
				if dir, err = direction(d); err != nil {
					return err
				}
			}
		}
		for more := true; more; {
			var col string
			col, cols, more = strings.Cut(cols, ",")
			name, err := column(r, n, strings.TrimSpace(col))
			if err != nil {
				return err
			}
			if written == 0 {
				q.WriteString(" ORDER BY ")
			} else {
				q.WriteString(", ")
			}
			written++
			q.WriteString(name)
			q.WriteString(dir)
		}
	}
	return nil
}

// direction reads asc or desc (any case) as the SQL to write after a
// column; null is the default direction.
func direction(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	switch s := hyperlambda.StringOf(v); {
	case strings.EqualFold(s, "asc"):
		return " ASC", nil
	case strings.EqualFold(s, "desc"):
		return " DESC", nil
	}
	return "", fmt.Errorf("only 'asc' and 'desc' are supported for the [direction] argument, not %q", hyperlambda.StringOf(v))
}

func read(r *engine.Run, n *hyperlambda.Node) error {
	t, err := tableArg(r, n, whitelist.ReadOnly)
	if err != nil {
		return err
	}
	var q strings.Builder
	q.WriteString("SELECT ")
	cn, err := r.ArgNode(n, "columns")
	if err != nil {
		return err
	}
	if cn == nil || cn.Len() == 0 {
		q.WriteString("*")
	}
	if cn != nil {
		for i, c := range cn.Children() {
			if i > 0 {
				q.WriteString(", ")
			}
			if err := selectColumn(r, n, c, &q); err != nil {
				return err
			}
		}
	}
	table, _ := ident(r, n, "table", t)
	q.WriteString(" FROM " + table)
	if err := joins(r, n, &q); err != nil {
		return err
	}
	args, err := where(r, n, &q, nil, false)
	if err != nil {
		return err
	}
	if err := orderBy(r, n, &q); err != nil {
		return err
	}
	limit, err := integerArg(r, n, "limit", 25)
	if err != nil {
		return err
	}
	offset, err := integerArg(r, n, "offset", 0)
	if err != nil {
		return err
	}
	q.WriteString(" LIMIT ? OFFSET ?")
	args = append(args, limit, offset)
	return withConn(r, n, func(c *conn) error {
		var rows []*hyperlambda.Node
		err := c.run(r, n, false, func() error {
			var err error
			rows, err = query(r, c, q.String(), args, false, false)
			return err
		})
		if err != nil {
			return err
		}
		n.Clear()
		n.Grow(len(rows))
		for _, row := range rows {
			n.Add(row)
		}
		return nil
	})
}

// query runs a select and returns its rows as "" nodes of column:value
// children, within the run's node and output budgets; first stops after
// one row. A built statement goes through the connection's prepared
// statements (see built), raw SQL through database/sql as written.
func query(r *engine.Run, c *conn, q string, args []any, first, raw bool) ([]*hyperlambda.Node, error) {
	var out []*hyperlambda.Node
	keep := func(row *hyperlambda.Node, err error) error {
		if err != nil {
			return err
		}
		out = append(out, row)
		if first {
			return errEnough
		}
		return nil
	}
	if !raw {
		err := c.built(r.Context(), q, args, func(cols []string, vals []driver.Value) error {
			return keep(rowNode(r, cols, vals))
		})
		return out, err
	}
	rs, err := c.c.QueryContext(r.Context(), q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		if err := keep(rowNode(r, cols, vals)); err == errEnough {
			break
		} else if err != nil {
			return nil, err
		}
	}
	return out, rs.Err()
}

// rowNode makes one result row, counted against the node and output
// budgets before it is built.
// Values come from database/sql ([]any) or from the driver
// ([]driver.Value), hence the type parameter.
func rowNode[V any](r *engine.Run, cols []string, vals []V) (*hyperlambda.Node, error) {
	if err := r.Created(len(cols) + 1); err != nil {
		return nil, err
	}
	// One allocation for the row and its columns.
	slab := make([]hyperlambda.Node, len(cols)+1)
	row := &slab[0]
	row.Grow(len(cols))
	size := 0
	for i, col := range cols {
		v := sqlValue(any(vals[i]))
		switch x := v.(type) {
		case string:
			size += len(x)
		case []byte:
			size += len(x)
		default:
			size += 8
		}
		c := &slab[i+1]
		c.Name, c.Value = col, v
		row.Add(c)
	}
	if err := r.Output(size); err != nil {
		return nil, err
	}
	return row, nil
}

func create(r *engine.Run, n *hyperlambda.Node) error {
	t, err := tableArg(r, n, whitelist.ReadWrite)
	if err != nil {
		return err
	}
	cols, args, err := columnValues(r, n)
	if err != nil {
		return err
	}
	returnID, _, err := r.Arg(n, "return-id")
	if err != nil {
		return err
	}
	table, _ := ident(r, n, "table", t)
	// RETURNING gives the new id in the same statement: one round trip
	// instead of the insert and a SELECT last_insert_rowid().
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ") RETURNING rowid"
	return withConn(r, n, func(c *conn) error {
		var id int64
		err := c.run(r, n, false, func() error {
			return c.built(r.Context(), q, args, func(_ []string, vals []driver.Value) error {
				id, _ = vals[0].(int64)
				return errEnough
			})
		})
		if err != nil {
			return err
		}
		n.Clear()
		if returnID != false {
			n.Value = id
		}
		return nil
	})
}

// write runs one built statement and returns the rows it changed.
func (c *conn) write(r *engine.Run, q string, args []any) (changes int64, err error) {
	if err := c.built(r.Context(), q, args, func([]string, []driver.Value) error { return nil }); err != nil {
		return 0, err
	}
	err = c.built(r.Context(), "SELECT changes()", nil, func(_ []string, vals []driver.Value) error {
		changes, _ = vals[0].(int64)
		return errEnough
	})
	return changes, err
}

func update(r *engine.Run, n *hyperlambda.Node) error {
	t, err := tableArg(r, n, whitelist.ReadWrite)
	if err != nil {
		return err
	}
	cols, args, err := columnValues(r, n)
	if err != nil {
		return err
	}
	table, _ := ident(r, n, "table", t)
	var q strings.Builder
	q.WriteString("UPDATE " + table + " SET ")
	for i, c := range cols {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(c + " = ?")
	}
	if args, err = where(r, n, &q, args, true); err != nil {
		return err
	}
	return changed(r, n, q.String(), args, false)
}

func del(r *engine.Run, n *hyperlambda.Node) error {
	t, err := tableArg(r, n, whitelist.ReadWrite)
	if err != nil {
		return err
	}
	table, _ := ident(r, n, "table", t)
	var q strings.Builder
	q.WriteString("DELETE FROM " + table)
	args, err := where(r, n, &q, nil, true)
	if err != nil {
		return err
	}
	return changed(r, n, q.String(), args, false)
}

// changed executes q and sets n's value to the number of rows changed.
func changed(r *engine.Run, n *hyperlambda.Node, q string, args []any, raw bool) error {
	return withConn(r, n, func(c *conn) error {
		var count int64
		err := c.run(r, n, raw, func() error {
			if !raw {
				var err error
				count, err = c.write(r, q, args)
				return err
			}
			// Raw SQL may hold several statements: only Exec runs them all.
			res, err := c.c.ExecContext(r.Context(), q, args...)
			if err == nil {
				count, err = res.RowsAffected()
			}
			return err
		})
		if err != nil {
			return err
		}
		n.Clear()
		n.Value = int32(count)
		return nil
	})
}

// rawSQL checks the raw-sql grant and reads the statement and its
// @parameters (children, bound by name).
func rawSQL(r *engine.Run, n *hyperlambda.Node) (string, []any, error) {
	pol := r.Policy()
	if d := pol.Constraints().Effects.Data; d == nil || d.RawSQL == whitelist.NoAccess {
		return "", nil, r.Deny(n, fmt.Sprintf("policy %s grants no raw SQL (constraints/data/raw-sql)", pol.Name))
	}
	v, err := hyperlambda.Value(n)
	if err != nil {
		return "", nil, err
	}
	var args []any
	for _, c := range n.Children() {
		name := strings.TrimLeft(c.Name, "@:$")
		if err := whitelist.CheckIdentifier("parameter", name); err != nil {
			return "", nil, err
		}
		pv, err := hyperlambda.Value(c)
		if err != nil {
			return "", nil, err
		}
		p, err := param(pv)
		if err != nil {
			return "", nil, err
		}
		args = append(args, sql.Named(name, p))
	}
	return hyperlambda.StringOf(v), args, nil
}

func rawSelect(scalar bool) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		q, args, err := rawSQL(r, n)
		if err != nil {
			return err
		}
		return withConn(r, n, func(c *conn) error {
			var rows []*hyperlambda.Node
			err := c.run(r, n, true, func() error {
				var err error
				rows, err = query(r, c, q, args, scalar, true)
				return err
			})
			if err != nil {
				return err
			}
			n.Clear()
			n.Value = nil // the statement's text is not a result
			if scalar {
				if len(rows) > 0 && rows[0].Len() > 0 {
					n.Value = rows[0].Child(0).Value
				}
				return nil
			}
			for _, row := range rows {
				n.Add(row)
			}
			return nil
		})
	}
}

func execute(r *engine.Run, n *hyperlambda.Node) error {
	q, args, err := rawSQL(r, n)
	if err != nil {
		return err
	}
	return changed(r, n, q, args, true)
}

func transaction(r *engine.Run, n *hyperlambda.Node) error {
	return withConn(r, n, func(c *conn) error {
		if c.tx {
			return fmt.Errorf("a transaction is already open on database %s", c.name)
		}
		if err := c.run(r, n, false, func() error { _, err := c.c.ExecContext(r.Context(), "BEGIN"); return err }); err != nil {
			return err
		}
		c.tx = true
		err := r.Eval(n)
		if c.tx { // neither committed nor rolled back: undo, as the reference
			c.c.ExecContext(r.Context(), "ROLLBACK")
			c.tx = false
		}
		return err
	})
}

func endTransaction(stmt string) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		c := current(r)
		if c == nil || !c.tx {
			return fmt.Errorf("no open transaction (use data.transaction.create inside data.connect)")
		}
		c.tx = false
		return c.run(r, n, false, func() error { _, err := c.c.ExecContext(r.Context(), stmt); return err })
	}
}
