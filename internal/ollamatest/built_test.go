package ollamatest

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A test that finds the ollama build still running waits for it (make test
// compiles the tests beside the build) and then uses what it made; with
// no build running, a missing binary is an error at once, naming the log.
func TestBuiltWaitsForTheRunningBuild(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ollama")
	if _, err := built(bin); err == nil {
		t.Fatal("no binary and no build: want an error")
	}

	lock, err := os.Create(filepath.Join(dir, "build.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	_, err = built(bin) // a lock file, but no build holding it
	if err == nil || !strings.Contains(err.Error(), "build.log") {
		t.Fatalf("no build running: want an error naming the build log, got %v", err)
	}

	// The "build": holds the lock, writes the binary, lets go.
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan struct{})
	old := waiting
	waiting = func(string) { close(blocked) }
	defer func() { waiting = old }()
	done := make(chan error, 1)
	go func() {
		_, err := built(bin)
		done <- err
	}()
	select {
	case <-blocked: // it found the build running and waits
	case err := <-done:
		t.Fatalf("returned while the build was running (%v): want it to wait", err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("after the build: %v", err)
	}
}
