package ui

import "fyne.io/fyne/v2"

// onUI runs f on the Fyne goroutine; background work (generation, runs,
// searches, imports, file watching) reports through it. Tests replace it
// with a queue they drain on their own goroutine, which is what the real
// event loop does and the test driver does not.
var onUI = fyne.Do
