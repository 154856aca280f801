package compiler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// DefaultOllamaHost is where Ollama listens when OLLAMA_HOST is not set.
const DefaultOllamaHost = "http://127.0.0.1:11434"

// Defaults of OllamaOptions.
const (
	// A large model on a CPU can take a minute to load before its first
	// token; a generous default avoids false alarms, the studio can lower it.
	DefaultFirstTokenTimeout = 2 * time.Minute
	// Listing, showing and the version answer at once on a live server.
	DefaultRequestTimeout = 30 * time.Second
)

// OllamaOptions configure a client. The zero value talks to OLLAMA_HOST.
type OllamaOptions struct {
	// Host is the server, in OLLAMA_HOST's syntax (scheme, host and port all
	// optional: "127.0.0.1:11434", "http://box", ":8080"). Empty means the
	// OLLAMA_HOST environment variable, then DefaultOllamaHost.
	Host string
	// HTTPClient carries the requests; nil means a client with no overall
	// timeout (streams last as long as generation does).
	HTTPClient *http.Client
	// FirstTokenTimeout bounds the wait for the first streamed chunk of a
	// chat; 0 means DefaultFirstTokenTimeout, negative means no limit.
	FirstTokenTimeout time.Duration
	// RequestTimeout bounds list, show and version calls; 0 means
	// DefaultRequestTimeout, negative means no limit.
	RequestTimeout time.Duration
	// KeepAlive is how long the server keeps a model loaded after a chat
	// (Ollama: negative keeps it loaded, 0 unloads at once); nil leaves the
	// server's default (5 minutes).
	KeepAlive *time.Duration
}

// Ollama is a client of one Ollama server, safe for concurrent use.
type Ollama struct {
	host       *url.URL
	api        *api.Client
	firstToken time.Duration
	request    time.Duration
	keepAlive  *time.Duration
}

// NewOllama makes a client; it does not contact the server.
func NewOllama(opts OllamaOptions) (*Ollama, error) {
	setting := opts.Host
	if setting == "" {
		setting = os.Getenv("OLLAMA_HOST")
	}
	host, err := ResolveOllamaHost(setting)
	if err != nil {
		return nil, err
	}
	hc := http.Client{}
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = watchTransport{base}
	o := &Ollama{
		host:       host,
		api:        api.NewClient(host, &hc),
		firstToken: orDefault(opts.FirstTokenTimeout, DefaultFirstTokenTimeout),
		request:    orDefault(opts.RequestTimeout, DefaultRequestTimeout),
		keepAlive:  opts.KeepAlive,
	}
	return o, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Host is the server's base URL, as it appears in error messages.
func (o *Ollama) Host() string { return o.host.String() }

// ResolveOllamaHost reads a host setting the way Ollama reads OLLAMA_HOST
// (envconfig.Host): the scheme defaults to http, the host to 127.0.0.1 and
// the port to 11434 (80 or 443 when a scheme is given). Empty gives
// DefaultOllamaHost.
func ResolveOllamaHost(setting string) (*url.URL, error) {
	s := strings.Trim(strings.TrimSpace(setting), `"'`)
	if s == "" {
		s = DefaultOllamaHost
	}
	port := "11434"
	scheme, hostport, ok := strings.Cut(s, "://")
	switch {
	case !ok:
		scheme, hostport = "http", s
	case scheme == "http":
		port = "80"
	case scheme == "https":
		port = "443"
	default:
		return nil, fmt.Errorf("Ollama host %q: scheme must be http or https", setting)
	}
	hostport, path, _ := strings.Cut(hostport, "/")
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
	} else {
		port = p
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return nil, fmt.Errorf("Ollama host %q: bad port %q", setting, port)
	}
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}
	if path != "" {
		u.Path = "/" + path
	}
	return u, nil
}

// call runs a non-streaming request under the request timeout and turns its
// failure into an OllamaError.
func (o *Ollama) call(ctx context.Context, op, model string, f func(context.Context) error) error {
	cctx, cancel := ctx, context.CancelFunc(func() {})
	if o.request > 0 {
		cctx, cancel = context.WithTimeout(ctx, o.request)
	}
	defer cancel()
	w := &streamWatch{}
	if err := f(withWatch(cctx, w)); err != nil {
		if ctx.Err() == nil && cctx.Err() != nil {
			return &OllamaError{Kind: ErrOllamaUnreachable, Host: o.Host(), Op: op, Model: model,
				Err: fmt.Errorf("no answer to %s within %s", op, o.request)}
		}
		return o.classify(ctx, op, model, err, w)
	}
	return nil
}

// Version is the server's version, e.g. "0.17.4".
func (o *Ollama) Version(ctx context.Context) (string, error) {
	var v string
	err := o.call(ctx, "version", "", func(ctx context.Context) (err error) {
		v, err = o.api.Version(ctx)
		return err
	})
	return v, err
}

// ModelInfo is one installed model as the model picker lists it.
type ModelInfo struct {
	Name          string    `json:"name"`           // e.g. "qwen2.5-coder:7b"
	Size          int64     `json:"size"`           // bytes on disk
	Digest        string    `json:"digest"`         // the manifest digest: changes when the model does
	Family        string    `json:"family"`         // e.g. "llama", "qwen2"
	Families      []string  `json:"families"`       // all families of the model's parts
	ParameterSize string    `json:"parameter_size"` // e.g. "7.6B"
	Quantization  string    `json:"quantization"`   // e.g. "Q4_K_M"
	Format        string    `json:"format"`         // e.g. "gguf"
	Modified      time.Time `json:"modified"`
}

func modelInfo(m api.ListModelResponse) ModelInfo {
	return ModelInfo{
		Name: m.Name, Size: m.Size, Digest: m.Digest, Modified: m.ModifiedAt,
		Family: m.Details.Family, Families: m.Details.Families, ParameterSize: m.Details.ParameterSize,
		Quantization: m.Details.QuantizationLevel, Format: m.Details.Format,
	}
}

// Models lists the installed models by name.
func (o *Ollama) Models(ctx context.Context) ([]ModelInfo, error) {
	var list *api.ListResponse
	err := o.call(ctx, "list models", "", func(ctx context.Context) (err error) {
		list, err = o.api.List(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	models := make([]ModelInfo, 0, len(list.Models))
	for _, m := range list.Models {
		models = append(models, modelInfo(m))
	}
	sort.Slice(models, func(i, j int) bool { return models[i].Name < models[j].Name })
	return models, nil
}

// ModelDetails is what the studio shows about one model.
type ModelDetails struct {
	ModelInfo
	Architecture  string   `json:"architecture"`   // general.architecture
	ContextLength int      `json:"context_length"` // the model's trained context, 0 if unknown
	Capabilities  []string `json:"capabilities"`   // e.g. "completion", "tools"
	Template      string   `json:"template"`
	System        string   `json:"system"`
	Parameters    string   `json:"parameters"` // the Modelfile's PARAMETER lines
}

// Show describes one model, with its digest (which /api/show does not give:
// it comes from the model list, so a compile cache can key on it).
func (o *Ollama) Show(ctx context.Context, model string) (*ModelDetails, error) {
	var sr *api.ShowResponse
	var list *api.ListResponse
	err := o.call(ctx, "show", model, func(ctx context.Context) (err error) {
		if sr, err = o.api.Show(ctx, &api.ShowRequest{Model: model}); err != nil {
			return err
		}
		list, err = o.api.List(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	d := &ModelDetails{
		ModelInfo: ModelInfo{
			Name: model, Family: sr.Details.Family, Families: sr.Details.Families, Format: sr.Details.Format,
			ParameterSize: sr.Details.ParameterSize, Quantization: sr.Details.QuantizationLevel, Modified: sr.ModifiedAt,
		},
		Template: sr.Template, System: sr.System, Parameters: sr.Parameters,
	}
	for _, c := range sr.Capabilities {
		d.Capabilities = append(d.Capabilities, string(c))
	}
	if arch, ok := sr.ModelInfo["general.architecture"].(string); ok {
		d.Architecture = arch
		if n, ok := sr.ModelInfo[arch+".context_length"].(float64); ok {
			d.ContextLength = int(n)
		}
	}
	want := fullModelName(model)
	for _, m := range list.Models {
		if fullModelName(m.Name) == want {
			d.Name, d.Digest, d.Size = m.Name, m.Digest, m.Size
			break
		}
	}
	return d, nil
}

// fullModelName adds the implicit ":latest" tag, as Ollama does, so "tiny"
// and "tiny:latest" are the same model.
func fullModelName(name string) string {
	last := name[strings.LastIndex(name, "/")+1:]
	if !strings.Contains(last, ":") {
		name += ":latest"
	}
	// The default registry and namespace too, which Ollama's list leaves
	// out: "registry.ollama.ai/library/tiny" is "tiny" (audit 20).
	name = strings.ToLower(name)
	name = strings.TrimPrefix(name, "registry.ollama.ai/")
	return strings.TrimPrefix(name, "library/")
}

// PullProgress is one step of a pull. Ollama reports bytes per layer; these
// are summed over the layers seen so far, so Total can grow when a layer
// starts late. Percent is -1 while no size is known.
type PullProgress struct {
	Status    string  // Ollama's status text, e.g. "pulling manifest", "verifying sha256 digest", "success"
	Completed int64   // bytes downloaded
	Total     int64   // bytes to download
	Percent   float64 // 0..100, or -1
}

// Pull downloads model into the server, reporting progress to fn (which may
// be nil). Canceling ctx stops the download; Ollama resumes it on the next
// pull.
func (o *Ollama) Pull(ctx context.Context, model string, fn func(PullProgress)) error {
	type layer struct{ completed, total int64 }
	layers := map[string]layer{}
	var order []string
	success := false
	w := &streamWatch{}
	err := o.api.Pull(withWatch(ctx, w), &api.PullRequest{Model: model}, func(p api.ProgressResponse) error {
		if p.Status == "success" {
			success = true
		}
		if p.Digest != "" {
			if _, ok := layers[p.Digest]; !ok {
				order = append(order, p.Digest)
			}
			layers[p.Digest] = layer{p.Completed, p.Total}
		}
		if fn == nil {
			return nil
		}
		pp := PullProgress{Status: p.Status, Percent: -1}
		for _, d := range order {
			pp.Completed += layers[d].completed
			pp.Total += layers[d].total
		}
		if pp.Total > 0 {
			pp.Percent = 100 * float64(pp.Completed) / float64(pp.Total)
		}
		fn(pp)
		return nil
	})
	if err == nil && !success && ctx.Err() != nil {
		err = ctx.Err() // the api package drops the read error of a canceled stream
	}
	if err != nil {
		return o.classify(ctx, "pull", model, err, w)
	}
	if !success {
		return &OllamaError{Kind: ErrStreamIncomplete, Host: o.Host(), Op: "pull", Model: model, Detail: w.detail()}
	}
	return nil
}
