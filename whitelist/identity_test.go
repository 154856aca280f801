package whitelist

import (
	"slices"
	"testing"
)

// An identity is read from the policy, and an intersection keeps it only
// when every part naming one names the same: a nested policy can never
// make the run act for someone else.
func TestIdentityNarrows(t *testing.T) {
	parse := func(src string) *Policy {
		t.Helper()
		p, err := Parse("p.hl", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	jane := parse("name:jane\r\nconstraints\r\n   identity\r\n      username:jane\r\n      roles:\" admin, user,,\"\r\n")
	id := jane.Constraints().Identity
	if id == nil || id.Username != "jane" || !slices.Equal(id.Roles, []string{"admin", "user"}) {
		t.Fatalf("identity %+v", id)
	}
	if !id.InRole([]string{"guest", "user"}) || id.InRole([]string{"root"}) || id.InRole(nil) {
		t.Fatalf("InRole wrong for %+v", id)
	}
	bob := parse("name:bob\r\nconstraints\r\n   identity\r\n      username:bob\r\n      roles:root\r\n")
	none := parse("name:none\r\nallow\r\n   *\r\n")
	for _, c := range []struct {
		p    *Policy
		want string
	}{
		{Intersect(jane, none), "jane"},
		{Intersect(none, jane), "jane"},
		{Intersect(jane, jane), "jane"},
		{Intersect(jane, bob), ""},
		{Intersect(Intersect(jane, bob), jane), ""},
		{Intersect(none, none), ""},
	} {
		got := ""
		if id := c.p.Constraints().Caller(); id != nil {
			got = id.Username
		}
		if got != c.want {
			t.Errorf("%s: identity %q, want %q", c.p.Name, got, c.want)
		}
	}
}
