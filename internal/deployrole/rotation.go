package deployrole

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Tags a rotation puts on deploy roles. They are the only record of a
// rotation, so an interrupted one is found and resumed from them.
const (
	// TagRotation is "in-progress" while an in-place or blue/green
	// rotation works on the role, "complete" after it, and "superseded"
	// on a role a blue/green rotation replaced.
	TagRotation = "orgstrap:rotation"
	// TagRotationStarted is the RFC 3339 time, with nanoseconds, at which
	// the rotation in progress began. Sessions issued before it are revoked.
	TagRotationStarted = "orgstrap:rotation-started"
	// TagRotatedAt is the RFC 3339 time of the last completed rotation.
	TagRotatedAt = "orgstrap:rotated-at"
	// TagExternalIDRotatedAt is the TagRotationStarted value of the
	// rotation that last replaced the external id in the trust policy.
	// When it is present, apply keeps the external id of the trust policy
	// rather than the config's, because the trust policy has the current one.
	TagExternalIDRotatedAt = "orgstrap:external-id-rotated-at"
	// TagGeneration is the blue/green generation number of the role: 1
	// for the role named in the config, 2 for NAME-g2, and so on.
	TagGeneration = "orgstrap:generation"
	// TagReplaces names the role a blue/green rotation replaced, until
	// rotate --finish deletes it.
	TagReplaces = "orgstrap:replaces"
	// TagSupersededBy names, on a replaced role, the role that took over.
	TagSupersededBy = "orgstrap:superseded-by"
)

// Values of TagRotation.
const (
	RotationInProgress = "in-progress"
	RotationComplete   = "complete"
	RotationSuperseded = "superseded"
)

// externalIDKey is the condition key AssumeRole sets from its ExternalId
// parameter.
const externalIDKey = "sts:ExternalId"

// ExternalID returns the external id a trust policy requires with
// StringEquals on sts:ExternalId, or "" when it requires none.
func ExternalID(trust *policy.Document) string {
	if trust == nil {
		return ""
	}
	for _, st := range trust.Statement {
		for key, values := range st.Condition["StringEquals"] {
			if strings.EqualFold(key, externalIDKey) && len(values) == 1 {
				return values[0]
			}
		}
	}
	return ""
}

// WithExternalID returns a copy of trust in which every StringEquals
// condition on sts:ExternalId requires id instead. It returns nil when
// trust has no such condition.
func WithExternalID(trust *policy.Document, id string) *policy.Document {
	out := cloneDocument(trust)
	found := false
	for i := range out.Statement {
		for key := range out.Statement[i].Condition["StringEquals"] {
			if strings.EqualFold(key, externalIDKey) {
				out.Statement[i].Condition["StringEquals"][key] = policy.Values{id}
				found = true
			}
		}
	}
	if !found {
		return nil
	}
	return out
}

func cloneDocument(doc *policy.Document) *policy.Document {
	var out policy.Document
	if err := json.Unmarshal([]byte(encodeDocument(doc)), &out); err != nil {
		// encodeDocument's output always parses back.
		panic(fmt.Sprintf("decoding a policy document: %v", err))
	}
	return &out
}

// RewritePolicies gives every managed policy of d found in o a new
// default version with d's document, unless its default version was
// created at or after since (by this rotation, before an interruption).
// IAM reports CreateDate in whole seconds, so a version written in since's
// own second looks older and is written again when a rotation resumes.
// When a policy has IAM's maximum of five versions, the oldest non-default
// one is deleted first. It then records the new version ids on the tags
// of d's roles, as apply does, and returns the ids written by policy name.
func (c *Client) RewritePolicies(ctx context.Context, d *Desired, o *Observed, since time.Time) (map[string]string, error) {
	ids := newVersions(o)
	written := map[string]string{}
	for i := range d.Policies {
		want := &d.Policies[i]
		have := o.Policies[want.Name]
		if have == nil {
			return nil, fmt.Errorf("rewriting policy %s: it does not exist in account %s", want.Name, d.AccountID)
		}
		stored, err := c.listVersions(ctx, have.ARN)
		if err != nil {
			return nil, err
		}
		current := false
		for _, v := range stored {
			if v.IsDefaultVersion && !aws.ToTime(v.CreateDate).Before(since) {
				current = true
				ids.set(want.Name, aws.ToString(v.VersionId))
			}
		}
		if current {
			continue
		}
		if err := c.updatePolicy(ctx, have, want, ids); err != nil {
			return nil, err
		}
		written[want.Name] = ids.ids[want.Name]
	}
	for i, spec := range d.Roles {
		tags := d.tags()
		tags[TagVersions] = ids.value(d.recordedBy(i))
		if err := c.tagRole(ctx, spec.Name, tags); err != nil {
			return nil, err
		}
	}
	return written, nil
}
