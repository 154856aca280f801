package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"

	"hlstudio/compiler"
)

func init() {
	commands["models"] = command{summary: "list the models of the Ollama server with sizes and families", run: runModels}
	commands["pull"] = command{summary: "download a model into the Ollama server, with progress", run: runPull}
}

// hostFlag is --host, shared by the commands that talk to Ollama.
func hostFlag(fl *flag.FlagSet) *string {
	return fl.String("host", "", "Ollama server (default $OLLAMA_HOST, then 127.0.0.1:11434)")
}

// exitUnreachable is the exit status when no Ollama server answers, so a
// script can tell "start Ollama" from other failures.
const exitUnreachable = 5

// ollamaCommand is the command line shared by models and pull: --host,
// the command's own flags, a fixed number of arguments.
type ollamaCommand struct {
	*flag.FlagSet
	host *string
}

func newOllamaCommand(name string, stderr io.Writer, usage ...string) *ollamaCommand {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(stderr)
	c := &ollamaCommand{FlagSet: fl, host: hostFlag(fl)}
	fl.Usage = func() {
		for _, line := range usage {
			fmt.Fprintln(stderr, line)
		}
		fmt.Fprintln(stderr, "Exit status 5 when no Ollama server answers.")
		fl.PrintDefaults()
	}
	return c
}

// client parses args and makes the client; a non-zero code ends the command.
func (c *ollamaCommand) client(args []string, nargs int) (*compiler.Ollama, int) {
	if err := c.Parse(args); err != nil {
		return nil, exitUsage
	}
	if c.NArg() != nargs {
		if flagsBeforeArgs(c.Name(), "the arguments", c.FlagSet, c.Output()) {
			c.Usage()
		}
		return nil, exitUsage
	}
	o, err := compiler.NewOllama(compiler.OllamaOptions{Host: *c.host})
	if err != nil {
		fmt.Fprintf(c.Output(), "hlstudio %s: %v\n", c.Name(), err)
		return nil, exitUsage
	}
	return o, exitOK
}

// ollamaFailure prints err for a person and picks the exit status.
func ollamaFailure(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "hlstudio %s: %v\n", cmd, err)
	if errors.Is(err, compiler.ErrOllamaUnreachable) {
		return exitUnreachable
	}
	return exitRuntime
}

func runModels(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newOllamaCommand("models", stderr, "usage: hlstudio models [--host HOST] [--json]",
		"\nLists the installed models: name, size, family, parameters, quantization, digest.")
	asJSON := cmd.Bool("json", false, "print the models as JSON")
	o, code := cmd.client(args, 0)
	if code != exitOK {
		return code
	}
	models, err := o.Models(context.Background())
	if err != nil {
		return ollamaFailure(stderr, "models", err)
	}
	if *asJSON {
		writeJSON(stdout, models)
		return exitOK
	}
	if len(models) == 0 {
		fmt.Fprintf(stderr, "no models at %s: get one with `hlstudio pull MODEL` or `ollama pull MODEL`\n", o.Host())
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tFAMILY\tPARAMETERS\tQUANTIZATION\tDIGEST")
	for _, m := range models {
		digest := m.Digest
		if len(digest) > 12 {
			digest = digest[:12]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, humanBytes(m.Size), m.Family, m.ParameterSize, m.Quantization, digest)
	}
	tw.Flush()
	return exitOK
}

func runPull(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newOllamaCommand("pull", stderr, "usage: hlstudio pull [--host HOST] MODEL",
		"\nDownloads MODEL into the Ollama server, printing progress to stderr; Ctrl-C stops",
		"(the next pull resumes).")
	o, code := cmd.client(args, 1)
	if code != exitOK {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	model := cmd.Arg(0)
	// One line per status and per whole percent: readable in a log, not a flood.
	lastStatus, lastPercent := "", -1
	err := o.Pull(ctx, model, func(p compiler.PullProgress) {
		pct := int(p.Percent)
		if p.Status == lastStatus && pct == lastPercent {
			return
		}
		lastStatus, lastPercent = p.Status, pct
		if p.Total > 0 {
			fmt.Fprintf(stderr, "%s: %d%% (%s of %s)\n", p.Status, pct, humanBytes(p.Completed), humanBytes(p.Total))
		} else {
			fmt.Fprintln(stderr, p.Status)
		}
	})
	if err != nil {
		return ollamaFailure(stderr, "pull", err)
	}
	fmt.Fprintf(stdout, "pulled %s into %s\n", model, o.Host())
	return exitOK
}

// humanBytes writes a size the way Ollama does (decimal units).
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
