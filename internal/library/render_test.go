package library

import (
	"fmt"
	"testing"

	"github.com/orgstrap/orgstrap/internal/policy"
)

const testAccount = "123456789012"

func loadLibrary(t *testing.T) *Library {
	t.Helper()
	l, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return l
}

func testTarget(profile string, access Access, serviceRole bool) Target {
	return Target{
		AccountID:   testAccount,
		Regions:     []string{"eu-west-1", "us-east-1"},
		Services:    []string{"orders", "users"},
		Stage:       "prod",
		Profiles:    []string{profile},
		Access:      access,
		ServiceRole: serviceRole,
	}
}

func render(t *testing.T, l *Library, target Target) *Rendered {
	t.Helper()
	r, err := l.Render(target)
	if err != nil {
		t.Fatalf("Render(%+v): %v", target, err)
	}
	return r
}

// TestRequiredCallsAllowed checks every profile's own calls against its
// rendered policies, in every access level and mode.
func TestRequiredCallsAllowed(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		for _, mode := range []struct {
			access      Access
			serviceRole bool
		}{{AccessRestricted, false}, {AccessRestricted, true}, {AccessBroad, false}} {
			t.Run(fmt.Sprintf("%s/%s/serviceRole=%v", name, mode.access, mode.serviceRole), func(t *testing.T) {
				r := render(t, l, testTarget(name, mode.access, mode.serviceRole))
				if len(r.RequiredCalls) == 0 {
					t.Fatal("no required calls")
				}
				results, err := r.Check(r.RequiredCalls)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range Denied(results) {
					t.Errorf("%s %s: %s on %s (role %q, context %v): %s", d.Call.Profile, d.Call.Command,
						d.Call.Action, d.Call.Resource, d.Call.Role, d.Call.Context, d.Evaluation.Reason)
				}
			})
		}
	}
}

func TestPoliciesFitIAMLimits(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		r := render(t, l, testTarget(name, AccessRestricted, false))
		docs := append([]policy.NamedPolicy{}, r.Policies...)
		if r.Boundary != nil {
			docs = append(docs, *r.Boundary)
		}
		for _, p := range docs {
			if size := policy.Size(p.Document); size > MaxPolicySize {
				t.Errorf("%s: policy %s has %d characters, limit %d", name, p.Name, size, MaxPolicySize)
			}
			if err := policy.Validate(p.Document, policy.KindIdentity); err != nil {
				t.Errorf("%s: policy %s is invalid: %v", name, p.Name, err)
			}
		}
	}
}
