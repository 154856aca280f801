package dataslots

import (
	"sort"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

var flushSlot = engine.Slot{Sig: whitelist.Signature{Name: "sqlite.connections.flush",
	Doc:     "closes the idle pooled connections to the policy's databases (the next use opens the file again)",
	Effects: whitelist.DBRead}, Fn: flush}

// flush is the reference's sqlite.connections.flush (SQLite's
// ClearAllPools): pooled connections not in use are closed, so the next
// data.connect opens the file afresh. Only the pools of the policy's own
// databases are flushed: another policy's runs keep theirs, and a
// connection a run has checked out (inside data.connect) stays open.
func flush(r *engine.Run, n *hyperlambda.Node) error {
	c := r.Policy().Constraints().Effects
	if c.Data == nil {
		return nil
	}
	names := make([]string, 0, len(c.Data.Databases))
	for name := range c.Data.Databases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		file, err := databaseFile(c.Files, c.Data.Databases[name])
		if err != nil {
			continue // never opened, so nothing pooled
		}
		pools.Lock()
		db := pools.m[file]
		pools.Unlock()
		if db != nil {
			// Closing the idle connections: no idle one may stay.
			db.SetMaxIdleConns(0)
			db.SetMaxIdleConns(maxIdle)
		}
	}
	return nil
}
