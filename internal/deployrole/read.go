package deployrole

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Read returns what the account holds of d: its roles, orgstrap's customer
// managed policies and the OIDC provider. It makes one GetRole, one
// ListAttachedRolePolicies and one ListRolePolicies call per role, one ListPolicies call, and, for
// GitHub trust, one GetOpenIDConnectProvider call. It reads a policy's
// document (GetPolicyVersion) only when the deploy role's tags do not
// record its current default version for the wanted digest.
func (c *Client) Read(ctx context.Context, d *Desired) (*Observed, error) {
	o := &Observed{Roles: map[string]*Role{}, Policies: map[string]*ManagedPolicy{}}
	for _, spec := range d.Roles {
		role, err := c.readRole(ctx, spec.Name)
		if err != nil {
			return nil, err
		}
		if role != nil {
			o.Roles[spec.Name] = role
		}
	}
	if err := c.readPolicies(ctx, d, o); err != nil {
		return nil, err
	}
	if d.GitHubOIDC {
		_, err := c.api.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(d.OIDCProviderARN()),
		})
		var missing *types.NoSuchEntityException
		switch {
		case err == nil:
			o.OIDCProvider = true
		case !errors.As(err, &missing):
			return nil, fmt.Errorf("reading the GitHub OIDC provider: %w", err)
		}
	}
	return o, nil
}

// readRole reads a role, its attached managed policies and the names of
// its inline policies.
func (c *Client) readRole(ctx context.Context, name string) (*Role, error) {
	out, err := c.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var missing *types.NoSuchEntityException
	if errors.As(err, &missing) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading role %s: %w", name, err)
	}
	r := out.Role
	role := &Role{Name: name, ARN: aws.ToString(r.Arn), Tags: map[string]string{}}
	role.Created = aws.ToTime(r.CreateDate)
	role.MaxSessionDuration = time.Duration(aws.ToInt32(r.MaxSessionDuration)) * time.Second
	if r.PermissionsBoundary != nil {
		role.BoundaryARN = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	for _, t := range r.Tags {
		role.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	if role.Trust, err = decodeDocument(aws.ToString(r.AssumeRolePolicyDocument)); err != nil {
		return nil, fmt.Errorf("reading the trust policy of role %s: %w", name, err)
	}

	p := iam.NewListAttachedRolePoliciesPaginator(c.api, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing policies of role %s: %w", name, err)
		}
		for _, a := range page.AttachedPolicies {
			role.Attached = append(role.Attached, aws.ToString(a.PolicyArn))
		}
	}

	inline := iam.NewListRolePoliciesPaginator(c.api, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing inline policies of role %s: %w", name, err)
		}
		role.Inline = append(role.Inline, page.PolicyNames...)
	}
	if err := c.readRevocation(ctx, role); err != nil {
		return nil, err
	}
	return role, nil
}

func (c *Client) readPolicies(ctx context.Context, d *Desired, o *Observed) error {
	p := iam.NewListPoliciesPaginator(c.api, &iam.ListPoliciesInput{
		Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String(PolicyPath),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing managed policies: %w", err)
		}
		for _, item := range page.Policies {
			if !d.owns(aws.ToString(item.PolicyName)) {
				continue
			}
			mp := &ManagedPolicy{
				Name: aws.ToString(item.PolicyName), ARN: aws.ToString(item.Arn),
				DefaultVersionID: aws.ToString(item.DefaultVersionId), AttachmentCount: int(aws.ToInt32(item.AttachmentCount)),
			}
			o.Policies[mp.Name] = mp
		}
	}
	recorded := map[string]string{}
	for _, spec := range d.Roles {
		if role := o.Roles[spec.Name]; role != nil && role.Tags[TagDigest] == d.Digest {
			maps.Copy(recorded, parseVersions(role.Tags[TagVersions]))
		}
	}
	for _, mp := range o.Policies {
		if want := d.policy(mp.Name); want != nil && recorded[mp.Name] == mp.DefaultVersionID {
			// The role records this version as the one orgstrap wrote for
			// the current digest, so the document is the wanted one.
			mp.Document = want.Document
			continue
		}
		out, err := c.api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
			PolicyArn: aws.String(mp.ARN), VersionId: aws.String(mp.DefaultVersionID),
		})
		if err != nil {
			return fmt.Errorf("reading policy %s: %w", mp.Name, err)
		}
		if mp.Document, err = decodeDocument(aws.ToString(out.PolicyVersion.Document)); err != nil {
			return fmt.Errorf("reading policy %s: %w", mp.Name, err)
		}
	}
	return nil
}

// decodeDocument parses a policy document as IAM returns it: URL-encoded
// JSON (RFC 3986), or plain JSON.
func decodeDocument(text string) (*policy.Document, error) {
	if text == "" {
		return nil, nil
	}
	if !strings.HasPrefix(strings.TrimSpace(text), "{") {
		decoded, err := url.QueryUnescape(text)
		if err != nil {
			return nil, fmt.Errorf("decoding the URL-encoded document: %w", err)
		}
		text = decoded
	}
	var doc policy.Document
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("parsing the document: %w", err)
	}
	return &doc, nil
}

// encodeDocument returns the compact JSON IAM stores.
func encodeDocument(doc *policy.Document) string {
	data, err := json.Marshal(doc)
	if err != nil {
		// Document holds only strings, lists and maps of them.
		panic(fmt.Sprintf("encoding a policy document: %v", err))
	}
	return string(data)
}

// sameDocument compares two documents by their canonical JSON.
func sameDocument(a, b *policy.Document) bool {
	if a == nil || b == nil {
		return a == b
	}
	return encodeDocument(a) == encodeDocument(b)
}
