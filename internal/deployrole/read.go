package deployrole

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/orgstrap/orgstrap/internal/policy"
)

// Read returns what the account holds of d: its roles, the other roles
// tagged for d's environment, orgstrap's customer managed policies and the
// OIDC provider. GetAccountAuthorizationDetails
// returns every role and policy document, and ListRoles adds the maximum
// session durations, which only ListRoles and GetRole return. Each makes
// one call per page of up to 1,000 items. For GitHub trust, Read also
// makes one GetOpenIDConnectProvider call.
func (c *Client) Read(ctx context.Context, d *Desired) (*Observed, error) {
	o := &Observed{Roles: map[string]*Role{}, Policies: map[string]*ManagedPolicy{}}
	if err := c.readDetails(ctx, d, o); err != nil {
		return nil, err
	}
	if len(o.Roles) > 0 {
		if err := c.readSessionDurations(ctx, o); err != nil {
			return nil, err
		}
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

// readDetails fills o with d's roles, the other roles orgstrap made for
// the environment, and orgstrap's managed policies from
// GetAccountAuthorizationDetails.
func (c *Client) readDetails(ctx context.Context, d *Desired, o *Observed) error {
	// IAM role names are unique ignoring case, as GetRole looks them up.
	specNames := map[string]string{}
	for _, spec := range d.Roles {
		specNames[strings.ToLower(spec.Name)] = spec.Name
	}
	o.Others = map[string]*Role{}
	others := map[string]*types.ManagedPolicyDetail{}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c.api, &iam.GetAccountAuthorizationDetailsInput{
		Filter:   []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy},
		MaxItems: aws.Int32(maxPageItems),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("reading the account's roles and managed policies: %w", err)
		}
		for i := range page.RoleDetailList {
			if err := readRole(d, o, specNames, &page.RoleDetailList[i]); err != nil {
				return err
			}
		}
		for i := range page.Policies {
			name := aws.ToString(page.Policies[i].PolicyName)
			if !d.owns(name) {
				others[name] = &page.Policies[i]
				continue
			}
			mp, err := toManagedPolicy(&page.Policies[i])
			if err != nil {
				return err
			}
			o.Policies[mp.Name] = mp
		}
	}
	return readOtherPolicies(d, o, others)
}

// readRole adds a role to o.Roles when d names it, or to o.Others when
// orgstrap's tags give it to d's environment.
func readRole(d *Desired, o *Observed, specNames map[string]string, r *types.RoleDetail) error {
	name, ok := specNames[strings.ToLower(aws.ToString(r.RoleName))]
	if !ok {
		if !taggedFor(r.Tags, d.Environment) {
			return nil
		}
		name = aws.ToString(r.RoleName)
	}
	role, err := toRole(name, r)
	if err != nil {
		return err
	}
	if ok {
		o.Roles[name] = role
	} else {
		o.Others[name] = role
	}
	return nil
}

func taggedFor(tags []types.Tag, env string) bool {
	managed, forEnv := false, false
	for _, t := range tags {
		switch aws.ToString(t.Key) {
		case TagManaged:
			managed = aws.ToString(t.Value) == "true"
		case TagEnvironment:
			forEnv = aws.ToString(t.Value) == env
		}
	}
	return managed && forEnv
}

// readOtherPolicies fills o.OtherPolicies with the policies of others that
// a role in o.Others attaches or records.
func readOtherPolicies(d *Desired, o *Observed, others map[string]*types.ManagedPolicyDetail) error {
	o.OtherPolicies = map[string]*ManagedPolicy{}
	for _, role := range o.Others {
		for _, name := range role.policyNames(d) {
			detail := others[name]
			if detail == nil || o.OtherPolicies[name] != nil {
				continue
			}
			mp, err := toManagedPolicy(detail)
			if err != nil {
				return err
			}
			o.OtherPolicies[name] = mp
		}
	}
	return nil
}

// policyNames returns the names of the customer managed policies of d's
// account that the role attaches or lists in its TagVersions tag.
func (r *Role) policyNames(d *Desired) []string {
	var names []string
	prefix := d.PolicyARN("")
	for _, arn := range r.Attached {
		if name, ok := strings.CutPrefix(arn, prefix); ok {
			names = append(names, name)
		}
	}
	return append(names, r.recordedPolicies()...)
}

// recordedPolicies returns the policy names in the role's TagVersions tag,
// which lists only policies orgstrap created.
func (r *Role) recordedPolicies() []string {
	var names []string
	for _, pair := range strings.Fields(r.Tags[TagVersions]) {
		if name, _, ok := strings.Cut(pair, "="); ok && name != "" {
			names = append(names, name)
		}
	}
	return names
}

// maxPageItems is the largest MaxItems IAM accepts for its list calls.
const maxPageItems = 1000

// toRole converts a role's details. A session revocation policy that only
// denies sets RevokedBefore and is kept out of Inline, so apply does not
// delete it and bring revoked sessions back. One that allows anything
// stays in Inline and is deleted as drift.
func toRole(name string, r *types.RoleDetail) (*Role, error) {
	role := &Role{Name: name, ARN: aws.ToString(r.Arn), Tags: map[string]string{}, Created: aws.ToTime(r.CreateDate)}
	if r.PermissionsBoundary != nil {
		role.BoundaryARN = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	for _, t := range r.Tags {
		role.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	var err error
	if role.Trust, err = decodeDocument(aws.ToString(r.AssumeRolePolicyDocument)); err != nil {
		return nil, fmt.Errorf("reading the trust policy of role %s: %w", name, err)
	}
	for _, a := range r.AttachedManagedPolicies {
		role.Attached = append(role.Attached, aws.ToString(a.PolicyArn))
	}

	for _, inline := range r.RolePolicyList {
		policyName := aws.ToString(inline.PolicyName)
		if policyName == RevokeSessionsPolicy {
			doc, err := decodeDocument(aws.ToString(inline.PolicyDocument))
			if err != nil {
				return nil, fmt.Errorf("reading inline policy %s of role %s: %w", policyName, name, err)
			}
			if cutoff, ok := revocationCutoff(doc); ok {
				role.RevokedBefore = cutoff
				continue
			}
		}
		role.Inline = append(role.Inline, policyName)
	}
	return role, nil
}

// toManagedPolicy converts a managed policy's details, with the document
// of its default version.
func toManagedPolicy(p *types.ManagedPolicyDetail) (*ManagedPolicy, error) {
	mp := &ManagedPolicy{
		Name: aws.ToString(p.PolicyName), ARN: aws.ToString(p.Arn),
		DefaultVersionID: aws.ToString(p.DefaultVersionId), AttachmentCount: int(aws.ToInt32(p.AttachmentCount)),
	}
	for _, v := range p.PolicyVersionList {
		if aws.ToString(v.VersionId) != mp.DefaultVersionID {
			continue
		}
		doc, err := decodeDocument(aws.ToString(v.Document))
		if err != nil {
			return nil, fmt.Errorf("reading policy %s: %w", mp.Name, err)
		}
		mp.Document = doc
		return mp, nil
	}
	return nil, fmt.Errorf("reading policy %s: IAM listed no document for its default version %s", mp.Name, mp.DefaultVersionID)
}

// readSessionDurations sets the maximum session duration of the roles in o.
// A role that ListRoles does not list, because it was deleted since
// GetAccountAuthorizationDetails, keeps a zero duration, which plans an
// update.
func (c *Client) readSessionDurations(ctx context.Context, o *Observed) error {
	byName := map[string]*Role{}
	for _, role := range o.Roles {
		byName[strings.ToLower(role.Name)] = role
	}
	p := iam.NewListRolesPaginator(c.api, &iam.ListRolesInput{MaxItems: aws.Int32(maxPageItems)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing roles: %w", err)
		}
		for _, r := range page.Roles {
			if role := byName[strings.ToLower(aws.ToString(r.RoleName))]; role != nil {
				role.MaxSessionDuration = time.Duration(aws.ToInt32(r.MaxSessionDuration)) * time.Second
			}
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
