package endpoint_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hlstudio/engine/endpoint"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
)

const greet = `.description:Greets
.arguments
   name:string
   age:int
   born:date
   tags:*
strings.concat
   get-value:x:@.arguments/*/name
   .:/
   type:x:@.arguments/*/age
   .:/
   type:x:@.arguments/*/born
   .:/
   get-count:x:@.arguments/*/tags/*
return:x:-
`

func TestInvoke(t *testing.T) {
	cases := []struct {
		name, program, args string
		status              int
		body, err           string
	}{
		{"typed by the declaration", greet, `{"age":"41","name":"Jane","born":"2001-02-03T00:00:00Z","tags":["a","b"]}`, 200, `"Jane/int/date/2"`, ""},
		{"JSON numbers convert", greet, `{"name":5,"age":41}`, 200, `"5/int//0"`, ""},
		{"undeclared argument", greet, `{"name":"Jane","admin":true}`, 400, "", "argument admin: the endpoint does not declare it"},
		{"bad type", greet, `{"age":"old"}`, 400, "", `argument age: cannot convert "old" to int`},
		{"object for a scalar", greet, `{"age":{"x":1}}`, 400, "", "argument age: an object or list where a int is declared"},
		{"no declaration accepts anything", "return:x:@.arguments/*/anything\n", `{"anything":"goes"}`, 200, `"goes"`, ""},
		{"declaration off", ".arguments:*\n   x:int\nreturn:x:@.arguments/*/y\n", `{"y":"free"}`, 200, `"free"`, ""},
		{"status and headers", "response.status.set:int:201\nresponse.headers.set\n   x-id:7\nreturn\n   id:int:7\n", `{}`, 201, `{"id":7}`, ""},
		{"header injection refused", "response.headers.set\n   x-a:\"1\\r\\nSet-Cookie: s=1\"\n", `{}`, 500, "", "cannot hold line breaks"},
		{"validator failure is a 400", ".arguments\n   email:string\nvalidators.email:x:@.arguments/*/email\n", `{"email":"nope"}`, 400, "", "'nope' is not a valid email address"},
		{"a runtime error is a 500", "math.divide\n   .:int:1\n   .:int:0\n", `{}`, 500, "", "division by zero"},
		{"an argument given twice", greet, `{"age":1,"age":3}`, 400, "", "argument age: given twice"},
		{"given twice without a declaration", "return:x:@.arguments/*/a\n", `{"a":1,"a":3}`, 400, "", "argument a: given twice"},
		{"given twice with the declaration off", ".arguments:*\nreturn:x:@.arguments/*/a\n", `{"a":1,"a":3}`, 400, "", "argument a: given twice"},
		{"an empty name", "return:x:@.arguments/*/a\n", `{"":1}`, 400, "", `argument "": empty argument name`},
	}
	e := vocab.New()
	policy := enginetest.LoadPolicy(t, "pure")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lambda, err := hyperlambda.ParseString(c.program, hyperlambda.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			supplied, err := endpoint.ArgumentsFromJSON(c.args, 1000)
			if err != nil {
				t.Fatal(err)
			}
			resp, _, err := endpoint.Invoke(context.Background(), e, lambda, supplied, policy)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if resp.Status != c.status || string(resp.Body) != c.body {
				t.Errorf("status %d body %s, want %d %s", resp.Status, resp.Body, c.status, c.body)
			}
		})
	}
}

func TestDescriptionAndArgumentError(t *testing.T) {
	lambda, _ := hyperlambda.ParseString(greet, hyperlambda.ParseOptions{})
	supplied, _ := endpoint.ArgumentsFromJSON(`{"who":1}`, 100)
	resp, _, err := endpoint.Invoke(context.Background(), vocab.New(), lambda, supplied, enginetest.LoadPolicy(t, "pure"))
	var ae *endpoint.ArgumentError
	if !errors.As(err, &ae) || ae.Name != "who" || resp.Description != "Greets" {
		t.Fatalf("%v %+v", err, resp)
	}
	if _, err := endpoint.ArgumentsFromJSON(`{"a":[1,[2,[3]]]}`, 3); err == nil {
		t.Errorf("argument node limit not enforced")
	}
}

func TestRequestCheck(t *testing.T) {
	ok := func() *endpoint.Request { return endpoint.DefaultRequest() }
	for _, c := range []struct {
		name string
		edit func(*endpoint.Request)
		err  string
	}{
		{"the default", func(*endpoint.Request) {}, ""},
		{"https with a port and a query", func(r *endpoint.Request) { r.URL = "https://h.example:8443/a?b=c" }, ""},
		{"an IPv6 client", func(r *endpoint.Request) { r.IP = "2001:db8::1" }, ""},
		{"an unknown verb", func(r *endpoint.Request) { r.Verb = "GET" }, `verb "GET"`},
		{"a relative URL", func(r *endpoint.Request) { r.URL = "/magic/x" }, "an absolute http or https URL"},
		{"another scheme", func(r *endpoint.Request) { r.URL = "file:///etc/passwd" }, "an absolute http or https URL"},
		{"not an address", func(r *endpoint.Request) { r.IP = "localhost" }, `ip "localhost"`},
		{"a header line break", func(r *endpoint.Request) { r.Headers = [][2]string{{"X-A", "1\r\nX-B: 2"}} }, `header "X-A"`},
		{"a header name with a colon", func(r *endpoint.Request) { r.Headers = [][2]string{{"X:A", "1"}} }, `header "X:A"`},
		{"a cookie with a semicolon", func(r *endpoint.Request) { r.Cookies = [][2]string{{"s", "1; Path=/"}} }, `cookie "s"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := ok()
			c.edit(r)
			err := r.Check()
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("Check() = %v, want %q", err, c.err)
			}
		})
	}
}

// Invoke answers request.* from the request in its context, and reports
// the cookies the endpoint set.
func TestInvokeWithRequest(t *testing.T) {
	lambda, err := hyperlambda.ParseString("request.headers.get:x-api-key\nresponse.cookies.set:seen\n   value:x:@request.headers.get\n   http-only:bool:true\nreturn:x:@request.headers.get\n", hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	req := endpoint.DefaultRequest()
	req.Headers = [][2]string{{"X-Api-Key", "k1"}}
	ctx := endpoint.WithRequest(context.Background(), req)
	resp, _, err := endpoint.Invoke(ctx, vocab.New(), lambda, hyperlambda.New("", nil), enginetest.LoadPolicy(t, "pure"))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `"k1"` {
		t.Errorf("body %s, want \"k1\" (header names compare without case)", resp.Body)
	}
	if len(resp.Cookies) != 1 || resp.Cookies[0] != (endpoint.Cookie{Name: "seen", Value: "k1", HTTPOnly: true}) {
		t.Errorf("cookies %+v", resp.Cookies)
	}
}
