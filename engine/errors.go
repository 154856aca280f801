package engine

import (
	"fmt"

	"hlstudio/internal/english"
)

// slotError marks errors that already name their slot and node, so that
// Signal does not wrap them again on the way up.
type slotError interface {
	error
	located()
}

// DeniedError is a binding the policy refused. It cannot be caught by
// [try]: a denial ends the run.
type DeniedError struct {
	Slot, Path, Policy, Reason string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("denied: [%s] at %s: %s", e.Slot, e.Path, e.Reason)
}
func (*DeniedError) located() {}

// UnknownSlotError is a name no slot is registered under (a hallucinated
// slot, in generated code).
type UnknownSlotError struct {
	Slot, Path string
	// Reason tells a reference slot this runtime does not provide from a
	// name nothing declares (see whitelist.UnknownSlotReason).
	Reason string
}

func (e *UnknownSlotError) Error() string {
	return fmt.Sprintf("[%s] at %s: %s", e.Slot, e.Path, e.Reason)
}
func (*UnknownSlotError) located() {}

// BudgetError is a budget the run went over. It cannot be caught by [try].
type BudgetError struct {
	Budget      string
	Limit, Used int64
}

// Error says the numbers as a person reads them: grouped, and with their
// unit where the budget's name does not say it ("time (limit 5,000 ms").
func (e *BudgetError) Error() string {
	unit := ""
	switch e.Budget {
	case "time":
		unit = " ms"
	case "output-bytes":
		unit = " bytes"
	}
	return fmt.Sprintf("budget exceeded: %s (limit %s%s, used %s%s)", e.Budget, english.Grouped(e.Limit), unit, english.Grouped(e.Used), unit)
}
func (*BudgetError) located() {}

// CanceledError is a run stopped from outside (the studio's Stop button).
type CanceledError struct{ Err error }

func (e *CanceledError) Error() string { return "run canceled: " + e.Err.Error() }
func (e *CanceledError) Unwrap() error { return e.Err }
func (*CanceledError) located()        {}

// RuntimeError is a slot that failed on its input.
type RuntimeError struct {
	Slot, Path string
	Err        error
}

func (e *RuntimeError) Error() string {
	return fmt.Sprintf("[%s] at %s: %v", e.Slot, e.Path, e.Err)
}
func (e *RuntimeError) Unwrap() error { return e.Err }
func (*RuntimeError) located()        {}

// ThrowError is raised by [throw]; [try] catches it.
type ThrowError struct {
	Message string
	Status  int
	Public  bool
	Field   string
}

func (e *ThrowError) Error() string { return e.Message }

// catchable reports whether [try] may catch err: denials, budgets and
// cancellation end the run whatever the code says.
func catchable(err error) bool {
	switch err.(type) {
	case *DeniedError, *BudgetError, *CanceledError:
		return false
	}
	return true
}

// InternalError is a slot that panicked: a bug in the runtime, reported
// instead of crashing the host. Stack is for the bug report.
type InternalError struct {
	Slot  string
	Panic string
	Stack string
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error in [%s]: %s (a bug in hlstudio, please report it)", e.Slot, e.Panic)
}
