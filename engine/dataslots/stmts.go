package dataslots

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"hlstudio/whitelist"
)

// Built statements (the SQL that data.create/read/update/delete make from
// checked identifiers) are prepared once per pooled connection and grants,
// and then reused. SQLite's authorizer runs while a statement is prepared,
// so a prepared statement carries the decision of the grants it was
// prepared under: the cache key holds those grants, and a statement is
// only ever reused under the very same ones. (When the schema changes, and
// also whenever a new binding could change the plan of a statement with
// parameters in its WHERE or LIMIT, SQLite prepares the statement again on
// its next step; the authorizer, holding the grants of the checkout in
// progress — the key's — decides again.)
// Raw SQL never comes here: it is prepared on every call, as written.
//
// The driver's own cache (_stmt_cache_size) is not used because it is
// keyed by the SQL text alone, across whatever grants the connection has
// served, and caches the trailing statements of a multi-statement text
// under their own, user-written, text.

// maxStmts bounds the statements one connection keeps prepared.
const maxStmts = 64

type stmtKey struct {
	grants *whitelist.DataConstraints // kept alive by the key: never reused for another
	sql    string
}

type stmtCache struct {
	m     map[stmtKey]driver.Stmt
	order []stmtKey // oldest first
}

func (s *sandboxConn) prepared(ctx context.Context, grants *whitelist.DataConstraints, q string) (driver.Stmt, error) {
	k := stmtKey{grants, q}
	if st, ok := s.stmts.m[k]; ok {
		return st, nil
	}
	st, err := s.SQLiteConn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts.m == nil {
		s.stmts.m = map[stmtKey]driver.Stmt{}
	}
	if len(s.stmts.order) == maxStmts {
		old := s.stmts.order[0]
		s.stmts.m[old].Close()
		delete(s.stmts.m, old)
		s.stmts.order = s.stmts.order[1:]
	}
	s.stmts.m[k] = st
	s.stmts.order = append(s.stmts.order, k)
	return st, nil
}

// Close finalizes the prepared statements before the connection closes.
func (s *sandboxConn) Close() error {
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts = stmtCache{}
	return s.SQLiteConn.Close()
}

// errEnough stops reading rows early; it is not an error to the caller.
var errEnough = errors.New("enough rows")

// built runs a statement the builder made, on the checkout's connection,
// through its prepared statements, and passes each row to row (vals is
// reused between rows; returning errEnough stops after that row). It talks
// to the driver directly: database/sql's per-statement machinery (a
// goroutine watching the context for each result) was a visible share of
// a small endpoint, and the driver watches the run's context itself.
func (c *conn) built(ctx context.Context, q string, args []any, row func(cols []string, vals []driver.Value) error) error {
	return c.c.Raw(func(dc any) error {
		s, ok := dc.(*sandboxConn)
		if !ok {
			return fmt.Errorf("not a sandbox connection: %T", dc)
		}
		st, err := s.prepared(ctx, c.auth.data, q)
		if err != nil {
			return err
		}
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, nv)
		if err != nil {
			return err
		}
		defer rows.Close() // resets the statement for its next use
		cols := rows.Columns()
		vals := make([]driver.Value, len(cols))
		for {
			if err := rows.Next(vals); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := row(cols, vals); err == errEnough {
				return nil
			} else if err != nil {
				return err
			}
		}
	})
}
