// Package ui holds the studio's Fyne views and widgets.
//
// The studio window shows the snippet library, the prompt bar, the tree
// editor coloured by static-check labels, the inspector and source views,
// the policy picker and the run panel. Views depend on interfaces of the
// packages below (a snippet store, a generator, a runner), never on SQL, so
// tests drive them with fyne.io/fyne/v2/test and no display.
//
// For now it holds the first studio window: what the studio is, what is
// coming, and whether an Ollama server answers.
package ui
