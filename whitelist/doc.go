// Package whitelist holds policies: what a Hyperlambda tree may bind to.
//
// A policy is deny-by-default: it names the slots that may be invoked
// (exactly or by family pattern), argument constraints for effectful slots
// (file roots, HTTP hosts, tables, sizes) and the run's budgets. The package
// loads, validates and watches policy files (hot reload), checks a tree
// statically against a policy (labelling each node data, allowed, denied,
// unknown slot, dynamic or unknown argument), and provides the guard the
// runtime consults at every binding. Nested policies only narrow.
//
// It imports only the hyperlambda package of this project.
package whitelist
