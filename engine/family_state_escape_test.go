package engine_test

// Adversarial tests of per-run family state (cache, request and response,
// log) and code of dynamic slots created under another authority (audit 13).

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/endpoint"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
)

// stepsOn runs programs in turn on e, each under its built-in
// policy, and returns the executed lambdas and the runs' errors.
func stepsOn(t *testing.T, e *engine.Engine, steps ...[2]string) ([]*hyperlambda.Node, []error) {
	t.Helper()
	var lambdas []*hyperlambda.Node
	var errs []error
	for _, s := range steps {
		l := mustParse(t, s[1])
		_, err := e.Execute(context.Background(), l, enginetest.LoadPolicy(t, s[0]))
		lambdas = append(lambdas, l)
		errs = append(errs, err)
	}
	return lambdas, errs
}

// Audit 13 found: the cache is the run's (cacheslots: r.Extension), and a
// dynamic slot's body runs in the caller's Run with only the policy
// switched, so a body planted by a sandboxed run reads and writes the
// cache of the trusted run that calls it.

// Confidentiality: trusted caches a secret and calls a helper a sandbox
// run planted; the helper reads the key and keeps it in the sandbox's
// files, where a later sandbox run reads it.
func TestPlantedSlotDoesNotReadItsCallersCache(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	lambdas, errs := stepsOn(t, e,
		[2]string{"sandbox", "slots.create:app.format\n   cache.get:api-key\n   io.file.save:/leak.txt\n      get-value:x:@cache.get\n   return:ok\n"},
		[2]string{"trusted", "cache.set:api-key\n   value:sk-live-0123456789\nsignal:app.format\n"},
		[2]string{"sandbox", "io.file.load:/leak.txt\n"},
	)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	if got := lambdas[2].Child(0).Value; got == "sk-live-0123456789" {
		t.Errorf("the planted slot read the trusted run's cache and kept it for the sandbox: a sandbox run reads %q (run errors %v)", got, errs)
	}
}

// Integrity: trusted caches code it wrote, calls the planted helper, then
// runs what it cached; the helper replaced the entry with its own code,
// which runs under trusted.
func TestPlantedSlotDoesNotWriteItsCallersCache(t *testing.T) {
	var calls atomic.Int64
	errs := runSteps(t, &calls,
		[2]string{"sandbox", "slots.create:app.format\n   cache.set:job\n      value:canary.record\n   return:ok\n"},
		[2]string{"trusted", "cache.set:job\n   value:\"log.info:hello\"\nsignal:app.format\ncache.get:job\nhyper2lambda:x:@cache.get\neval:x:@hyper2lambda\n"},
	)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	if calls.Load() != 0 {
		t.Errorf("code the planted slot wrote into the trusted run's cache ran under trusted %d times (run errors %v)", calls.Load(), errs)
	}
}

// Audit 13 found: an endpoint run's request (request.*, read from the run's
// context) and response (response.*, the run's extension) are the run's,
// whatever policy is active: a body planted by a sandboxed run, called by
// a trusted endpoint, reads the caller's credentials and writes the
// caller's response.

// The trusted endpoint only formats a text with a helper slot; the helper
// (planted by a sandbox run) keeps the request's Authorization header and
// session cookie in the sandbox's files, where a later sandbox run reads
// them.
func TestPlantedSlotDoesNotReadItsCallersRequest(t *testing.T) {
	req := endpoint.DefaultRequest()
	req.Headers = [][2]string{{"Authorization", "Bearer admin-token-123"}}
	req.Cookies = [][2]string{{"session", "sess-456"}}
	_, got := plantedEndpoint(t,
		"slots.create:app.format\n"+
			"   request.headers.get:Authorization\n"+
			"   request.cookies.get:session\n"+
			"   io.file.save:/leak.txt\n"+
			"      strings.concat\n"+
			"         get-value:x:@request.headers.get\n"+
			"         .:\" \"\n"+
			"         get-value:x:@request.cookies.get\n"+
			"   return:x:@.arguments/*/text\n",
		"signal:app.format\n   text:hello\nreturn:x:-\n", req)
	if strings.Contains(got, "admin-token-123") || strings.Contains(got, "sess-456") {
		t.Errorf("a sandbox run reads the trusted endpoint's credentials, kept by the slot it planted: %q", got)
	}
}

// The same trusted endpoint; the helper sets the status, a redirect, a
// CORS header and a session cookie on the trusted endpoint's response.
func TestPlantedSlotDoesNotWriteItsCallersResponse(t *testing.T) {
	resp, _ := plantedEndpoint(t,
		"slots.create:app.format\n"+
			"   response.status.set:302\n"+
			"   response.headers.set\n"+
			"      Location:\"https://evil.example/login\"\n"+
			"      Access-Control-Allow-Origin:\"*\"\n"+
			"      Access-Control-Allow-Credentials:true\n"+
			"   response.cookies.set:session\n"+
			"      value:attacker-fixed-session\n"+
			"   return:x:@.arguments/*/text\n",
		"signal:app.format\n   text:hello\nreturn:x:-\n", endpoint.DefaultRequest())
	// The helper's [response.*] is a denial, which ends the run (500);
	// nothing it set goes out.
	if resp.Status == 302 || len(resp.Headers) > 0 || len(resp.Cookies) > 0 {
		t.Errorf("the trusted endpoint answers what the sandbox-planted helper set: status %d, headers %v, cookies %+v", resp.Status, resp.Headers, resp.Cookies)
	}
}

// Audit 13 found (low): a run's log is the run's, whatever policy is active;
// entries carry no policy or path. A body planted by a sandbox run writes
// entries into the trusted run that calls it (a mail "sent", a message)
// that cannot be told from entries trusted code wrote: the record of the
// trusted run shows as its own what the sandbox wrote.
func TestPlantedSlotsLogNamesItsPolicy(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e, [2]string{"sandbox",
		"slots.create:app.format\n   log.info:\"payment verified\"\n      order:42\n   return:ok\n"}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	res, err := e.Execute(context.Background(), mustParse(t,
		"log.info:\"payment verified\"\n   order:42\nsignal:app.format\n"), enginetest.LoadPolicy(t, "trusted"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Log) != 2 {
		t.Fatalf("log: %v", res.Log)
	}
	if reflect.DeepEqual(res.Log[0], res.Log[1]) {
		t.Errorf("the entry the sandbox-planted slot wrote is indistinguishable from the trusted code's own: %+v and %+v", res.Log[0], res.Log[1])
	}
}

// The trusted code keeps an argument-free accessor of its own cache (an
// ordinary helper; called by a sandbox run it would read that run's empty
// cache). The sandbox-planted helper calls it and keeps the key in the
// sandbox's files.
func TestPlantedSlotDoesNotReadItsCallersCacheThroughAnAccessor(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	lambdas, errs := stepsOn(t, e,
		[2]string{"sandbox", "slots.create:app.format\n" +
			"   signal:app.api-key\n" +
			"   io.file.save:/leak.txt\n" +
			"      get-value:x:@signal\n" +
			"   return:ok\n"},
		[2]string{"trusted", "slots.create:app.api-key\n   cache.get:api-key\n   return:x:-\n" +
			"cache.set:api-key\n   value:sk-live-0123456789\n" +
			"signal:app.format\n"},
		[2]string{"sandbox", "io.file.load:/leak.txt\n"},
	)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	if got := lambdas[2].Child(0).Value; got == "sk-live-0123456789" {
		t.Errorf("the planted slot read the trusted run's cache through the trusted run's own accessor slot; a sandbox run reads %q (run errors %v)", got, errs)
	}
}

// The trusted code keeps a generic higher-order helper (runs the caller's
// [.lambda]; harmless when a sandbox run calls it: its lambda runs under
// the sandbox with the sandbox run's state). The planted helper hands it
// code that replaces a cached job; the trusted run then runs the job, and
// the planted code runs under trusted.
func TestPlantedSlotDoesNotWriteItsCallersCacheThroughAHigherOrderSlot(t *testing.T) {
	var calls atomic.Int64
	errs := runSteps(t, &calls,
		[2]string{"trusted", "slots.create:app.run\n   eval:x:@.arguments/*/.lambda\n"},
		[2]string{"sandbox", "slots.create:app.format\n" +
			"   signal:app.run\n" +
			"      .lambda\n" +
			"         cache.set:job\n" +
			"            value:canary.record\n" +
			"   return:ok\n"},
		[2]string{"trusted", "cache.set:job\n   value:\"log.info:hello\"\nsignal:app.format\ncache.get:job\nhyper2lambda:x:@cache.get\neval:x:@hyper2lambda\n"},
	)
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if calls.Load() != 0 {
		t.Errorf("code the planted slot wrote into the trusted run's cache (through a trusted higher-order slot) ran under trusted %d times (run errors %v)", calls.Load(), errs)
	}
}

// A trusted endpoint with the same higher-order helper calls a planted
// formatter: the planted code reads the endpoint's bearer token (kept in
// the sandbox's files) and sets the endpoint's response, request.* and
// response.* seeing no foreign code.
func TestPlantedSlotDoesNotReachTheEndpointThroughAHigherOrderSlot(t *testing.T) {
	req := endpoint.DefaultRequest()
	req.Headers = [][2]string{{"Authorization", "Bearer admin-token-123"}}
	resp, got := plantedEndpoint(t,
		"slots.create:app.format\n"+
			"   signal:app.run\n"+
			"      .lambda\n"+
			"         request.headers.get:Authorization\n"+
			"         io.file.save:/leak.txt\n"+
			"            get-value:x:@request.headers.get\n"+
			"         response.status.set:302\n"+
			"         response.headers.set\n"+
			"            Location:\"https://evil.example/login\"\n"+
			"   return:x:@.arguments/*/text\n",
		"slots.create:app.run\n   eval:x:@.arguments/*/.lambda\n"+
			"signal:app.format\n   text:hello\nreturn:x:-\n", req)
	if resp.Status == 302 || len(resp.Headers) > 0 {
		t.Errorf("the trusted endpoint answers what the sandbox-planted helper set through a trusted higher-order slot: status %d, headers %v", resp.Status, resp.Headers)
	}
	if strings.Contains(got, "admin-token-123") {
		t.Errorf("a sandbox run reads the trusted endpoint's bearer token, read by the planted helper through a trusted higher-order slot: %q", got)
	}
}

// Log lines the planted code writes through the trusted higher-order slot
// carry no policy: they pass for the trusted code's own.
func TestPlantedLogThroughAHigherOrderSlotNamesItsPolicy(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e,
		[2]string{"trusted", "slots.create:app.run\n   eval:x:@.arguments/*/.lambda\n"},
		[2]string{"sandbox", "slots.create:app.format\n   signal:app.run\n      .lambda\n         log.info:\"payment verified\"\n   return:ok\n"},
	); errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	res, err := e.Execute(context.Background(), mustParse(t, "signal:app.format\n"), enginetest.LoadPolicy(t, "trusted"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Log) != 1 {
		t.Fatalf("log: %v", res.Log)
	}
	if res.Log[0].Policy == "" {
		t.Errorf("the entry the sandbox-planted code wrote (through a trusted higher-order slot) names no policy: %+v", res.Log[0])
	}
}

// A sandbox endpoint uses a helper a trusted run made to read the bearer
// token of its own request.
func TestSandboxEndpointUsesATrustedHelperOnItsOwnRequest(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e, [2]string{"trusted",
		"slots.create:app.bearer\n   request.headers.get:Authorization\n   return:x:-\n"}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	req := endpoint.DefaultRequest()
	req.Headers = [][2]string{{"Authorization", "Bearer user-token"}}
	ep := mustParse(t, "signal:app.bearer\nreturn:x:-\n")
	resp, _, err := endpoint.Invoke(endpoint.WithRequest(context.Background(), req), e, ep, hyperlambda.New("", nil), enginetest.LoadPolicy(t, "sandbox"))
	if err != nil || !strings.Contains(string(resp.Body), "user-token") {
		t.Errorf("a sandbox endpoint cannot read its own request through a helper made by a trusted run: status %d, body %s, error %v", resp.Status, resp.Body, err)
	}
}

// A sandbox run caches a value and reads it back through a helper a
// trusted run made.
func TestSandboxRunUsesATrustedHelperOnItsOwnCache(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	lambdas, errs := stepsOn(t, e,
		[2]string{"trusted", "slots.create:app.user\n   cache.get:user\n   return:x:-\n"},
		[2]string{"sandbox", "cache.set:user\n   value:jane\nsignal:app.user\n"},
	)
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if got := lambdas[1].Child(1).Value; got != "jane" {
		t.Errorf("a helper made by a trusted run, called by a sandbox run, does not see that run's cache: got %v", got)
	}
}

// plantedEndpoint plants a slot by a sandbox run, runs endpoint as a
// trusted endpoint with req, and returns its response and what a later
// sandbox run reads back from /leak.txt ("" when nothing was kept).
func plantedEndpoint(t *testing.T, planted, endpointSrc string, req *endpoint.Request) (*endpoint.Response, string) {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e, [2]string{"sandbox", planted}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	resp, _, err := endpoint.Invoke(endpoint.WithRequest(context.Background(), req), e, mustParse(t, endpointSrc), hyperlambda.New("", nil), enginetest.LoadPolicy(t, "trusted"))
	if err != nil {
		t.Logf("endpoint: %v", err)
	}
	lambdas, _ := stepsOn(t, e, [2]string{"sandbox", "io.file.load:/leak.txt\n"})
	return resp, hyperlambda.StringOf(lambdas[0].Child(0).Value)
}
