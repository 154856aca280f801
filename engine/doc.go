// Package engine is the Hyperlambda runtime.
//
// It holds the signaler (a registry of slots built at start and a scope
// stack), evaluation of a tree in place, the run's budgets (steps, wall
// time, live nodes, depth, output bytes) and the core slots. Every
// invocation of a slot by name, from any path, goes through one dispatch
// function that consults the active whitelist policy. Capability families
// (io, http, data, strings, math, dates, json, ...) live in subpackages that
// the host registers; nothing is ambient.
//
// It imports only the hyperlambda and whitelist packages of this project.
package engine
