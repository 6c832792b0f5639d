package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// orgCall is one Organizations request being served.
type orgCall struct {
	caller *api.Caller
	now    time.Time
	body   []byte
	sb     *Sandbox
}

// authorize checks the call against the caller's IAM policies; the
// identity store allows everything unless EnforceIAM is set.
func (c *orgCall) authorize(action, resource string) *api.Error {
	return c.sb.identity.Authorize(c.caller, "organizations:"+action, resource, nil)
}

// orgOperation is one Organizations API. run returns the response and
// whether the state changed.
type orgOperation struct {
	run func(o *organizations, c *orgCall) (any, bool, *api.Error)
	// memberAllowed is set for the calls a member account may make. The
	// others return AccessDeniedException outside the management account.
	memberAllowed bool
}

// orgOperations are the Organizations APIs the sandbox implements, by name.
var orgOperations = map[string]orgOperation{
	"CreateOrganization":               {run: createOrganization},
	"DescribeOrganization":             {run: describeOrganization, memberAllowed: true},
	"ListRoots":                        {run: listRoots},
	"CreateOrganizationalUnit":         {run: createOrganizationalUnit},
	"DescribeOrganizationalUnit":       {run: describeOrganizationalUnit},
	"UpdateOrganizationalUnit":         {run: updateOrganizationalUnit},
	"DeleteOrganizationalUnit":         {run: deleteOrganizationalUnit},
	"ListOrganizationalUnitsForParent": {run: listOrganizationalUnitsForParent},
	"ListParents":                      {run: listParents},
	"CreateAccount":                    {run: createAccount},
	"DescribeCreateAccountStatus":      {run: describeCreateAccountStatus},
	"ListCreateAccountStatus":          {run: listCreateAccountStatus},
	"ListAccounts":                     {run: listAccounts},
	"ListAccountsForParent":            {run: listAccountsForParent},
	"DescribeAccount":                  {run: describeAccount},
	"MoveAccount":                      {run: moveAccount},
	"TagResource":                      {run: tagResource},
	"UntagResource":                    {run: untagResource},
	"ListTagsForResource":              {run: listTagsForResource},
}

// Id patterns from the Organizations model.
var (
	parentIDPattern = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	unitIDPattern   = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	accountIDRegexp = regexp.MustCompile(`^\d{12}$`)
	childIDPattern  = regexp.MustCompile(`^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
)

// checkCaller applies the rules every call but CreateOrganization shares:
// an organization must exist and, for most calls, the caller must be its
// management account.
func (o *organizations) checkCaller(op orgOperation, caller *api.Caller) *api.Error {
	if o.Organization == nil || o.organizationOf(caller.AccountID) == "" {
		return orgError("AWSOrganizationsNotInUseException", http.StatusNotFound,
			"account %s is not a member of an organization: call CreateOrganization first", caller.AccountID)
	}
	if !op.memberAllowed && caller.AccountID != o.Management.ID {
		return orgError("AccessDeniedException", http.StatusForbidden,
			"account %s is a member account: only the management account %s can call this operation",
			caller.AccountID, o.Management.ID)
	}
	return nil
}

// orgError returns an Organizations error. The status codes follow the
// httpError traits of the Organizations model in aws-sdk-go-v2
// service/organizations v1.63.0: 404 for the NotFound exceptions and
// AWSOrganizationsNotInUseException, 409 for conflicts and constraint
// violations, 403 for AccessDeniedException, 429 for
// TooManyRequestsException. SDKs and the AWS CLI pick the error by its
// code, not its status.
func orgError(code string, status int, format string, args ...any) *api.Error {
	return &api.Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

func constraintViolation(reason, format string, args ...any) *api.Error {
	return &api.Error{Code: "ConstraintViolationException", Status: http.StatusConflict, Reason: reason,
		Message: fmt.Sprintf(format, args...)}
}

// requireID checks that a required id member is present and matches its
// pattern.
func requireID(member, value string, pattern *regexp.Regexp) *api.Error {
	if value == "" {
		return invalidInput("INPUT_REQUIRED", "missing %s", member)
	}
	if !pattern.MatchString(value) {
		return invalidInput("INVALID_PATTERN", "invalid %s %q: it must match %s", member, value, pattern)
	}
	return nil
}

type wireOrganization struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []wirePolicyType
}

type wirePolicyType struct{ Type, Status string }

type wireRoot struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []wirePolicyType
}

type wireUnit struct{ Id, Arn, Name string }

type wireParent struct{ Id, Type string }

func (o *organizations) wireOrganization() *wireOrganization {
	return &wireOrganization{
		Id:                 o.Organization.ID,
		Arn:                o.organizationARN(),
		FeatureSet:         o.Organization.FeatureSet,
		MasterAccountArn:   o.accountARN(o.Management.ID),
		MasterAccountId:    o.Management.ID,
		MasterAccountEmail: o.Management.Email,
		// NOTE: DescribeOrganization's AvailablePolicyTypes is deprecated
		// and the sandbox implements no policy types, so it is empty.
		AvailablePolicyTypes: []wirePolicyType{},
	}
}

func (o *organizations) wireUnit(u *orgUnit) wireUnit {
	return wireUnit{Id: u.ID, Arn: o.unitARN(u.ID), Name: u.Name}
}

func createOrganization(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ FeatureSet string }](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("CreateOrganization", "*"); err != nil {
		return nil, false, err
	}
	if o.Organization != nil {
		return nil, false, orgError("AlreadyInOrganizationException", http.StatusConflict,
			"account %s is already a member of organization %s", c.caller.AccountID, o.Organization.ID)
	}
	if c.caller.AccountID != o.Management.ID {
		return nil, false, orgError("AccessDeniedException", http.StatusForbidden,
			"only the management account %s can create the sandbox's organization", o.Management.ID)
	}
	featureSet := in.FeatureSet
	if featureSet == "" {
		featureSet = "ALL"
	}
	if featureSet != "ALL" && featureSet != "CONSOLIDATED_BILLING" {
		return nil, false, invalidInput("INVALID_ENUM", "invalid FeatureSet %q: want ALL or CONSOLIDATED_BILLING", featureSet)
	}

	o.Organization = &organization{
		ID:         "o-" + randomID(10),
		FeatureSet: featureSet,
		RootID:     "r-" + randomID(4),
		Created:    c.now,
	}
	o.Management.ParentID = o.Organization.RootID
	o.Management.JoinedMethod = "INVITED"
	o.Management.Joined = c.now
	return map[string]any{"Organization": o.wireOrganization()}, true, nil
}

func describeOrganization(o *organizations, c *orgCall) (any, bool, *api.Error) {
	if err := c.authorize("DescribeOrganization", "*"); err != nil {
		return nil, false, err
	}
	return map[string]any{"Organization": o.wireOrganization()}, false, nil
}

func listRoots(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[pageRequest](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("ListRoots", "*"); err != nil {
		return nil, false, err
	}
	roots := []wireRoot{{Id: o.Organization.RootID, Arn: o.rootARN(), Name: "Root", PolicyTypes: []wirePolicyType{}}}
	items, next, err := page(roots, "ListRoots", *in)
	if err != nil {
		return nil, false, err
	}
	return listOutput("Roots", items, next), false, nil
}

// listOutput builds a list response, leaving NextToken out on the last page.
func listOutput(member string, items any, next *string) map[string]any {
	out := map[string]any{member: items}
	if next != nil {
		out["NextToken"] = *next
	}
	return out
}

// nonNil turns a nil slice into an empty one, so that JSON has [] and not
// null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
