// Package assets embeds the studio's built-in files: the application icon,
// the built-in policies, and later the system prompt and sample snippets.
// It depends on nothing of the project.
package assets
