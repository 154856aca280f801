# hlstudio — build, run and test. `make run` and `make test` do all set-up
# on a fresh Debian machine (system packages through apt-get when missing).

# The one place the build tags are set: every build, test, vet and run uses it.
TAGS := sqlite_fts5
GO ?= go
GOFLAGS_TAGS := -tags $(TAGS)
# The command is built with its profile (app/default.pgo, see make pgo);
# vet, fuzz and the comparison module's tests use it too, so one set of
# compiled packages serves them all (the race-built tests are another).
PGO := -pgo=$(CURDIR)/app/default.pgo
export CGO_ENABLED := 1
# C without debug information (Go's default is -O2 -g): the same code,
# and SQLite's amalgamation compiles in two thirds of the time, once per
# compile set (as shipped, -race, fuzz). Nothing here steps through C in
# a debugger, and the packaged binary is stripped anyway.
export CGO_CFLAGS ?= -O2 -g0
FUZZTIME ?= 10s

.NOTPARALLEL:
.PHONY: all deps build run test vet fmt-check unit fuzz ollama-tiny-background gui-smoke bench bench-starlark bench-check nodevalues-check fmt clean package package-check ollama-tiny pgo

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build $(GOFLAGS_TAGS) $(PGO) -o bin/hlstudio ./app

run: build
	./bin/hlstudio

# In this order, one step at a time, stopping at the first failure.
test: deps ollama-tiny-background fmt-check vet unit bench-check nodevalues-check fuzz gui-smoke package-check

# Every Go file of the tree, tracked or not, except testdata (as the go tool).
GOFILES = $$(find . -name '*.go' -not -path '*/testdata/*' -not -path './bin/*')

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(GOFLAGS_TAGS) $(PGO) ./...

# The real Ollama server the compiler tests talk to, built once (about five
# minutes) into ~/.cache/hlstudio; with HLSTUDIO_REQUIRE_OLLAMA those tests
# fail rather than skip when it is missing.
ollama-tiny:
	@scripts/ollama-tiny.sh >/dev/null

# Started first by make test: the build overlaps the compiles of vet and
# of the unit tests, and the tests that need the server wait for it.
ollama-tiny-background:
	@scripts/ollama-tiny.sh --background

# Every package's tests, with the race detector. The command's package
# (app/: the window, through Fyne's desktop driver) holds no tests and is
# left out: its race build would compile OpenGL's and GLFW's C (about three
# minutes of CPU) for nothing. vet and gui-smoke build it as shipped.
#
# The Ollama build (started first by make test) may still be running:
# the tests are compiled beside it, and those that need the server wait
# for it (internal/ollamatest), hence the longer timeout.
unit: ollama-tiny-background
	@if ls app/*_test.go >/dev/null 2>&1; then echo "unit: app/ must hold no tests (put them in cli/ or ui/): the race run leaves it out"; exit 1; fi
	HLSTUDIO_OLLAMA_BIN="$$(scripts/ollama-tiny.sh --path)" HLSTUDIO_REQUIRE_OLLAMA=1 \
		$(GO) test $(GOFLAGS_TAGS) -race -timeout 30m $$($(GO) list $(GOFLAGS_TAGS) ./... | grep -vx hlstudio/app)

fuzz:
	@TAGS="$(TAGS)" PGO="$(PGO)" FUZZTIME="$(FUZZTIME)" scripts/fuzz.sh

# The Linux tarball (fyne package); the work tree stays clean.
package: deps
	@TAGS="$(TAGS)" PGO="$(PGO)" scripts/package.sh

# make package works and leaves the work tree as it was.
package-check: package
	@tar -tJf bin/hlstudio.tar.xz | grep -q 'usr/local/bin/hlstudio$$' || { echo "package-check: no hlstudio binary in the tarball"; exit 1; }
	@if [ -d .git ] && [ -n "$$(git status --porcelain --untracked-files=no)" ]; then echo "package-check: make package changed tracked files"; git status --short; exit 1; fi
	@echo "package-check: bin/hlstudio.tar.xz holds usr/local/bin/hlstudio; tracked files unchanged"

# The built command: its stderr is clean under LANG=C.UTF-8 (it depends
# on the packages the binary initializes), and its window shows, takes
# keys and quits under Xvfb.
gui-smoke: build
	@scripts/locale-check.sh bin/hlstudio
	@scripts/screenshot.sh bin/hlstudio bin/screenshot.png

# Benchmarks are built with the profile the command is (app/default.pgo,
# which `go build ./app` picks up itself): they measure what is shipped.
bench:
	$(GO) test $(GOFLAGS_TAGS) $(PGO) -run '^$$' -bench . -benchmem ./...

# The runtime against starlark-go on the same algorithms; a separate module
# (bench/) so starlark never enters the product's go.mod. Its profile
# covers both sides.
bench-starlark:
	cd bench && $(GO) test $(GOFLAGS_TAGS) -pgo=default.pgo -run '^$$' -bench . -benchtime 10x .

# Regenerates app/default.pgo and bench/default.pgo from the benchmarks.
pgo:
	GO=$(GO) scripts/pgo.sh

# The comparison module builds, vets, and its programs compute the same
# answers in both languages (no benchmarks run).
bench-check:
	cd bench && $(GO) vet $(GOFLAGS_TAGS) $(PGO) . && $(GO) test $(GOFLAGS_TAGS) $(PGO) -count=1 -run . .

# Every place the runtime puts a node into a value is known and marks the
# run (engine/reuse.go); a module of its own (golang.org/x/tools).
nodevalues-check:
	cd tools/nodevalues && $(GO) vet . && $(GO) test -count=1 .

fmt:
	gofmt -w $(GOFILES)

clean:
	rm -rf bin
