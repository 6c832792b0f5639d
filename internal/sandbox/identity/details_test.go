package identity_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgstrap/orgstrap/internal/sandbox"
)

const readOnlyDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

// createPolicy creates a customer managed policy with one version per
// document and returns its ARN.
func (e *env) createPolicy(name string, docs ...string) string {
	e.t.Helper()
	out, err := e.iam.CreatePolicy(e.ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(docs[0])})
	if err != nil {
		e.t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	for _, doc := range docs[1:] {
		if _, err := e.iam.CreatePolicyVersion(e.ctx, &iam.CreatePolicyVersionInput{
			PolicyArn: out.Policy.Arn, PolicyDocument: aws.String(doc), SetAsDefault: true,
		}); err != nil {
			e.t.Fatalf("CreatePolicyVersion %s: %v", name, err)
		}
	}
	return aws.ToString(out.Policy.Arn)
}

// details reads every page of GetAccountAuthorizationDetails and returns
// them merged, with the number of pages.
func (e *env) details(client *iam.Client, in *iam.GetAccountAuthorizationDetailsInput) (*iam.GetAccountAuthorizationDetailsOutput, int) {
	e.t.Helper()
	all := &iam.GetAccountAuthorizationDetailsOutput{}
	pages := 0
	p := iam.NewGetAccountAuthorizationDetailsPaginator(client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.t.Fatalf("GetAccountAuthorizationDetails page %d: %v", pages+1, err)
		}
		pages++
		all.UserDetailList = append(all.UserDetailList, page.UserDetailList...)
		all.GroupDetailList = append(all.GroupDetailList, page.GroupDetailList...)
		all.RoleDetailList = append(all.RoleDetailList, page.RoleDetailList...)
		all.Policies = append(all.Policies, page.Policies...)
	}
	return all, pages
}

func unescape(t *testing.T, doc *string) string {
	t.Helper()
	text, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("decoding document %q: %v", aws.ToString(doc), err)
	}
	return text
}

func findRole(list []iamtypes.RoleDetail, name string) *iamtypes.RoleDetail {
	for i := range list {
		if aws.ToString(list[i].RoleName) == name {
			return &list[i]
		}
	}
	return nil
}

func findPolicyDetail(list []iamtypes.ManagedPolicyDetail, name string) *iamtypes.ManagedPolicyDetail {
	for i := range list {
		if aws.ToString(list[i].PolicyName) == name {
			return &list[i]
		}
	}
	return nil
}

func TestSDKAuthorizationDetailsRole(t *testing.T) {
	e := start(t, sandbox.Options{})
	boundary := e.createPolicy("Boundary", adminDoc)
	attached := e.createPolicy("Deploy", readOnlyDoc, adminDoc)
	e.createRole("Deployer", e.trustAccount(), readOnlyDoc)
	calls := []func() error{
		func() error {
			_, err := e.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Deployer"), PolicyArn: aws.String(attached)})
			return err
		},
		func() error {
			_, err := e.iam.PutRolePermissionsBoundary(e.ctx, &iam.PutRolePermissionsBoundaryInput{
				RoleName: aws.String("Deployer"), PermissionsBoundary: aws.String(boundary),
			})
			return err
		},
		func() error {
			_, err := e.iam.TagRole(e.ctx, &iam.TagRoleInput{RoleName: aws.String("Deployer"),
				Tags: []iamtypes.Tag{{Key: aws.String("orgstrap:managed"), Value: aws.String("true")}}})
			return err
		},
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("setup step %d: %v", i+1, err)
		}
	}

	got, _ := e.details(e.iam, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy},
	})
	if len(got.UserDetailList) != 0 || len(got.GroupDetailList) != 0 {
		t.Errorf("filtered response lists %d users and %d groups, want none", len(got.UserDetailList), len(got.GroupDetailList))
	}
	r := findRole(got.RoleDetailList, "Deployer")
	if r == nil {
		t.Fatalf("RoleDetailList lacks Deployer: %+v", got.RoleDetailList)
	}
	if arn := aws.ToString(r.Arn); arn != e.roleARN("Deployer") {
		t.Errorf("Arn: got %s, want %s", arn, e.roleARN("Deployer"))
	}
	if r.CreateDate == nil || aws.ToString(r.RoleId) == "" || aws.ToString(r.Path) != "/" {
		t.Errorf("CreateDate %v, RoleId %q, Path %q: want all set, path /", r.CreateDate, aws.ToString(r.RoleId), aws.ToString(r.Path))
	}
	if trust := unescape(t, r.AssumeRolePolicyDocument); trust != e.trustAccount() {
		t.Errorf("trust policy: got %s, want %s", trust, e.trustAccount())
	}
	if len(r.RolePolicyList) != 1 || aws.ToString(r.RolePolicyList[0].PolicyName) != "inline" {
		t.Fatalf("RolePolicyList: got %+v, want the one policy called inline", r.RolePolicyList)
	}
	if doc := unescape(t, r.RolePolicyList[0].PolicyDocument); doc != readOnlyDoc {
		t.Errorf("inline document: got %s, want %s", doc, readOnlyDoc)
	}
	if len(r.AttachedManagedPolicies) != 1 || aws.ToString(r.AttachedManagedPolicies[0].PolicyArn) != attached ||
		aws.ToString(r.AttachedManagedPolicies[0].PolicyName) != "Deploy" {
		t.Errorf("AttachedManagedPolicies: got %+v, want Deploy (%s)", r.AttachedManagedPolicies, attached)
	}
	if b := r.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != boundary ||
		b.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy {
		t.Errorf("PermissionsBoundary: got %+v, want %s of type PermissionsBoundaryPolicy", b, boundary)
	}
	if len(r.Tags) != 1 || aws.ToString(r.Tags[0].Key) != "orgstrap:managed" || aws.ToString(r.Tags[0].Value) != "true" {
		t.Errorf("Tags: got %+v, want orgstrap:managed=true", r.Tags)
	}
	if len(r.InstanceProfileList) != 0 {
		t.Errorf("InstanceProfileList: got %+v, want none", r.InstanceProfileList)
	}

	p := findPolicyDetail(got.Policies, "Deploy")
	if p == nil {
		t.Fatalf("Policies lacks Deploy: %+v", got.Policies)
	}
	if aws.ToString(p.DefaultVersionId) != "v2" || aws.ToInt32(p.AttachmentCount) != 1 || aws.ToString(p.Arn) != attached {
		t.Errorf("Deploy: default %s, %d attachments, ARN %s; want v2, 1, %s",
			aws.ToString(p.DefaultVersionId), aws.ToInt32(p.AttachmentCount), aws.ToString(p.Arn), attached)
	}
	if len(p.PolicyVersionList) != 2 {
		t.Fatalf("Deploy versions: got %d, want 2", len(p.PolicyVersionList))
	}
	wantVersions := []struct {
		id        string
		isDefault bool
		doc       string
	}{{"v2", true, adminDoc}, {"v1", false, readOnlyDoc}}
	for i, want := range wantVersions {
		v := p.PolicyVersionList[i]
		if aws.ToString(v.VersionId) != want.id || v.IsDefaultVersion != want.isDefault {
			t.Errorf("version %d: got %s default %v, want %s default %v", i, aws.ToString(v.VersionId), v.IsDefaultVersion, want.id, want.isDefault)
		}
		if doc := unescape(t, v.Document); doc != want.doc {
			t.Errorf("version %s document: got %s, want %s", want.id, doc, want.doc)
		}
	}
	if b := findPolicyDetail(got.Policies, "Boundary"); b == nil || aws.ToInt32(b.PermissionsBoundaryUsageCount) != 1 {
		t.Errorf("Boundary policy: got %+v, want one boundary use", b)
	}
	for _, mp := range got.Policies {
		if strings.HasPrefix(aws.ToString(mp.Arn), "arn:aws:iam::aws:") {
			t.Errorf("LocalManagedPolicy filter returned the AWS managed policy %s", aws.ToString(mp.Arn))
		}
	}
}

func TestSDKAuthorizationDetailsPages(t *testing.T) {
	e := start(t, sandbox.Options{})
	for _, name := range []string{"A", "B", "C"} {
		e.createRole(name, e.trustAccount(), "")
		e.createPolicy("P"+name, adminDoc)
	}
	one, _ := e.details(e.iam, &iam.GetAccountAuthorizationDetailsInput{})
	paged, pages := e.details(e.iam, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})

	entities := len(one.UserDetailList) + len(one.RoleDetailList) + len(one.Policies)
	if want := (entities + 1) / 2; pages != want {
		t.Errorf("pages of 2 items: got %d, want %d for %d entities", pages, want, entities)
	}
	if len(paged.RoleDetailList) != len(one.RoleDetailList) || len(paged.Policies) != len(one.Policies) ||
		len(paged.UserDetailList) != len(one.UserDetailList) {
		t.Errorf("paged: %d roles, %d policies, %d users; want %d, %d, %d", len(paged.RoleDetailList), len(paged.Policies),
			len(paged.UserDetailList), len(one.RoleDetailList), len(one.Policies), len(one.UserDetailList))
	}
	for _, name := range []string{"A", "B", "C"} {
		if findRole(paged.RoleDetailList, name) == nil || findPolicyDetail(paged.Policies, "P"+name) == nil {
			t.Errorf("paged response lacks role %s or policy P%s", name, name)
		}
	}
	// The unfiltered response lists the administrator user of the
	// management account, and no AWS managed policy the account leaves
	// unused.
	if len(one.UserDetailList) == 0 {
		t.Errorf("unfiltered response lists no user, want the administrator")
	}
	for _, mp := range one.Policies {
		if strings.HasPrefix(aws.ToString(mp.Arn), "arn:aws:iam::aws:") && aws.ToInt32(mp.AttachmentCount) == 0 &&
			aws.ToInt32(mp.PermissionsBoundaryUsageCount) == 0 {
			t.Errorf("unfiltered response lists the unused AWS managed policy %s", aws.ToString(mp.Arn))
		}
	}
}

func TestSDKAuthorizationDetailsFilter(t *testing.T) {
	e := start(t, sandbox.Options{})
	_, err := e.iam.GetAccountAuthorizationDetails(e.ctx, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{"Roles"},
	})
	apiErr := wantAPIError(t, err, "ValidationError")
	if !strings.Contains(apiErr.ErrorMessage(), "at 'filter'") {
		t.Errorf("message: got %q, want it to name the filter", apiErr.ErrorMessage())
	}
}

func TestSDKAuthorizationDetailsDenied(t *testing.T) {
	e := start(t, sandbox.Options{EnforceIAM: true})
	e.createRole("Reader", e.trustAccount(), `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetRole","iam:ListPolicies"],"Resource":"*"}]}`)
	reader, _ := e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Reader"))})
	_, err := reader.GetAccountAuthorizationDetails(e.ctx, &iam.GetAccountAuthorizationDetailsInput{})
	apiErr := wantAPIError(t, err, "AccessDenied")
	if !strings.Contains(apiErr.ErrorMessage(), "iam:GetAccountAuthorizationDetails on resource: *") {
		t.Errorf("message: got %q, want the action on resource *", apiErr.ErrorMessage())
	}

	e.createRole("Auditor", e.trustAccount(), `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetAccountAuthorizationDetails","Resource":"*"}]}`)
	auditor, _ := e.assume(e.sts, &sts.AssumeRoleInput{RoleArn: aws.String(e.roleARN("Auditor"))})
	got, _ := e.details(auditor, &iam.GetAccountAuthorizationDetailsInput{})
	if findRole(got.RoleDetailList, "Reader") == nil {
		t.Errorf("auditor's response lacks role Reader")
	}
}

func TestSDKAuthorizationDetailsSeesChangesAtOnce(t *testing.T) {
	c := newClock()
	e := start(t, sandbox.Options{Now: c.Now, ConsistencyDelay: time.Minute})
	arn := e.createPolicy("Changing", readOnlyDoc, adminDoc)
	e.createRole("Fresh", e.trustAccount(), readOnlyDoc)
	if _, err := e.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("Fresh"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}

	got, _ := e.details(e.iam, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy},
	})
	r := findRole(got.RoleDetailList, "Fresh")
	if r == nil || len(r.RolePolicyList) != 1 || len(r.AttachedManagedPolicies) != 1 {
		t.Fatalf("role within the consistency delay: got %+v, want its inline and attached policy", r)
	}
	p := findPolicyDetail(got.Policies, "Changing")
	if p == nil || aws.ToString(p.DefaultVersionId) != "v2" {
		t.Errorf("policy within the consistency delay: got %+v, want default version v2", p)
	}
}
