package rotate

import (
	"regexp"
	"testing"
	"time"

	"github.com/orgstrap/orgstrap/internal/deployrole"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/policy"
)

func TestRevokeBefore(t *testing.T) {
	base := time.Date(2026, 12, 3, 23, 0, 5, 0, time.UTC)
	tests := []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"whole second", base, base},
		{"within a second", base.Add(300 * time.Millisecond), base.Add(time.Second)},
		{"other zone", base.Add(time.Nanosecond).In(time.FixedZone("CET", 3600)), base.Add(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := revokeBefore(tt.at); !got.Equal(tt.want) {
				t.Errorf("revokeBefore(%s): got %s, want %s", tt.at, got, tt.want)
			}
		})
	}
}

func TestRevokeDocument(t *testing.T) {
	doc := revokeDocument(time.Date(2026, 12, 3, 23, 0, 6, 0, time.FixedZone("CET", 3600)))
	if err := policy.Validate(doc, policy.KindIdentity); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	got := doc.Statement[0].Condition["DateLessThan"]["aws:TokenIssueTime"]
	if len(got) != 1 || got[0] != "2026-12-03T22:00:06Z" {
		t.Errorf("cutoff: got %v, want [2026-12-03T22:00:06Z]", got)
	}
}

func TestNewExternalID(t *testing.T) {
	valid := regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	a, b := newExternalID(), newExternalID()
	if !valid.MatchString(a) || len(a) < 2 || len(a) > 1224 {
		t.Errorf("external id %q does not match what STS accepts", a)
	}
	if a == b {
		t.Errorf("two external ids are equal: %s", a)
	}
}

func TestWithExternalID(t *testing.T) {
	trust := &policy.Document{Version: policy.Version2012, Statement: []policy.Statement{{
		Effect: "Allow", Principal: &policy.Principal{AWS: policy.Values{"arn:aws:iam::111111111111:root"}},
		Action:    policy.Values{"sts:AssumeRole"},
		Condition: policy.Conditions{"StringEquals": {"sts:ExternalId": {"old"}}},
	}}}
	got := deployrole.WithExternalID(trust, "new")
	if id := deployrole.ExternalID(got); id != "new" {
		t.Errorf("external id of the copy: got %q, want new", id)
	}
	if id := deployrole.ExternalID(trust); id != "old" {
		t.Errorf("external id of the original: got %q, want old (unchanged)", id)
	}
	none := &policy.Document{Version: policy.Version2012, Statement: []policy.Statement{{Effect: "Allow"}}}
	if deployrole.WithExternalID(none, "new") != nil {
		t.Errorf("WithExternalID on a trust policy without an external id: got a document, want nil")
	}
}

func TestGeneration(t *testing.T) {
	tests := []struct {
		name string
		role string
		tags map[string]string
		want int
	}{
		{"base name", "orgstrap-deploy", nil, 1},
		{"suffix", "orgstrap-deploy-g3", nil, 3},
		{"tag wins", "orgstrap-deploy-g3", map[string]string{deployrole.TagGeneration: "4"}, 4},
		{"other suffix", "orgstrap-deploy-gx", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.Generation("orgstrap-deploy", tt.role, tt.tags); got != tt.want {
				t.Errorf("Generation(%s): got %d, want %d", tt.role, got, tt.want)
			}
		})
	}
	if got := NextRoleName("orgstrap-deploy", 1); got != "orgstrap-deploy-g2" {
		t.Errorf("NextRoleName: got %s, want orgstrap-deploy-g2", got)
	}
}
