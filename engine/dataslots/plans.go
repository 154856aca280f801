package dataslots

/*
typedef struct sqlite3 sqlite3;
int sqlite3_db_config(sqlite3 *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG (1007): set, then read back.
static int hl_stable_plans(void *db) {
	int on = 0;
	int rc = sqlite3_db_config((sqlite3 *)db, 1007, 1, &on);
	return rc != 0 ? -rc : on;
}
*/
import "C"

import (
	"fmt"
	"reflect"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// stablePlans turns on SQLite's query planner stability guarantee for a
// sandbox connection: a statement's plan no longer depends on the values
// bound to it. Without it SQLite 3.54 plans with bound values (LIMIT ?,
// a bound comparison beside ORDER BY, LIKE ?), and so prepares such a
// statement again whenever a new value is bound: every call of a built
// data.read, with the authorizer asked again for each table and column
// (cgo callbacks), ~5 µs of a ~29 µs CRUD endpoint. A generated endpoint
// runs the same statements with new values over and over; a plan that
// does not change with them is also the predictable one. The driver
// exposes no sqlite3_db_config, so the connection's handle is read from
// its field (the driver's version is pinned; TestStablePlans fails if
// this stops working).
func stablePlans(c *sqlite3.SQLiteConn) error {
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return fmt.Errorf("sqlite: no connection handle to configure (driver changed?)")
	}
	if rc := C.hl_stable_plans(f.UnsafePointer()); rc != 1 {
		return fmt.Errorf("sqlite: could not turn on stable query plans (%d)", int(rc))
	}
	return nil
}
