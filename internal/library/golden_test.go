package library

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgstrap/orgstrap/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenView is the part of a rendering the golden files record.
type goldenView struct {
	Policies      []policy.NamedPolicy
	Boundary      *policy.NamedPolicy
	ExecutionRole *ExecutionRole
	Roles         []ExecutionRole
	Digest        string
}

func TestRenderGolden(t *testing.T) {
	l := loadLibrary(t)
	for _, name := range l.Names() {
		for _, mode := range []struct {
			label       string
			access      Access
			serviceRole bool
		}{{"restricted", AccessRestricted, false}, {"service-role", AccessRestricted, true}, {"broad", AccessBroad, false}} {
			t.Run(name+"/"+mode.label, func(t *testing.T) {
				r := render(t, l, testTarget(name, mode.access, mode.serviceRole))
				got, err := json.MarshalIndent(goldenView{r.Policies, r.Boundary, r.ExecutionRole, r.Roles, r.Digest}, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				compareGolden(t, filepath.Join("testdata", "golden", name+"-"+mode.label+".json"), append(got, '\n'))
			})
		}
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendering; rerun with -update if the change is intended\ngot:\n%s", path, got)
	}
}

func TestRenderStable(t *testing.T) {
	l := loadLibrary(t)
	a := testTarget("serverless-framework", AccessRestricted, false)
	b := a
	b.Regions = []string{"us-east-1", "eu-west-1", "us-east-1"}
	b.Services = []string{"users", "orders"}
	ra, rb := render(t, l, a), render(t, l, b)
	if ra.Digest != rb.Digest {
		t.Errorf("Digest differs for reordered input: %s vs %s", ra.Digest, rb.Digest)
	}
}

func TestRenderSplitsLargePolicies(t *testing.T) {
	l := loadLibrary(t)
	target := testTarget("serverless-framework", AccessRestricted, false)
	target.Profiles = []string{"serverless-framework", "cloudformation", "aws-sam"}
	target.Services = services(6)
	target.Regions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
	r := render(t, l, target)
	if len(r.Policies) < 2 {
		t.Fatalf("got %d policies, want the rendering split over several", len(r.Policies))
	}
	for i, p := range r.Policies {
		if want := fmt.Sprintf("orgstrap-deploy-%d", i+1); p.Name != want {
			t.Errorf("policy %d is named %q, want %q", i, p.Name, want)
		}
		if size := policy.Size(p.Document); size > MaxPolicySize {
			t.Errorf("policy %s has %d characters, limit %d", p.Name, size, MaxPolicySize)
		}
	}
	results, err := r.Check(r.RequiredCalls)
	if err != nil {
		t.Fatal(err)
	}
	if denied := Denied(results); len(denied) > 0 {
		t.Errorf("%d required calls denied after splitting, first: %s on %s: %s",
			len(denied), denied[0].Call.Action, denied[0].Call.Resource, denied[0].Evaluation.Reason)
	}
}

func TestRenderTooManyPolicies(t *testing.T) {
	l := loadLibrary(t)
	target := testTarget("serverless-framework", AccessRestricted, false)
	target.Services = services(40)
	target.Regions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1"}
	_, err := l.Render(target)
	var tooMany *TooManyPoliciesError
	if !errors.As(err, &tooMany) {
		t.Fatalf("Render error = %v, want a TooManyPoliciesError", err)
	}
	if tooMany.Needed <= MaxPoliciesPerRole {
		t.Errorf("Needed = %d, want more than %d", tooMany.Needed, MaxPoliciesPerRole)
	}
	for _, want := range []string{"40 services and 8 regions", "service-role mode"} {
		if !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	target.ServiceRole = true
	_, err = l.Render(target)
	if !errors.As(err, &tooMany) {
		t.Fatalf("service-role Render error = %v, want a TooManyPoliciesError", err)
	}
	if bytes.Contains([]byte(err.Error()), []byte("service-role mode")) {
		t.Errorf("error %q suggests service-role mode, which the rendering already uses", err)
	}
}

func services(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("service%02d", i)
	}
	return out
}

func TestRenderBoundaryTooLarge(t *testing.T) {
	l := loadLibrary(t)
	target := testTarget("serverless-framework", AccessRestricted, false)
	target.Services = services(32)
	target.Regions = []string{"us-east-1"}
	_, err := l.Render(target)
	if err == nil || !strings.Contains(err.Error(), "render permissions boundary") {
		t.Fatalf("Render error = %v, want the boundary size reported", err)
	}
	if !strings.Contains(err.Error(), "more than the 6144 of one managed policy") {
		t.Errorf("error %q does not name the limit", err)
	}
}
