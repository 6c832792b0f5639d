package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
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
	// memberAllowed is set for the calls a member account may make; the
	// rest answer AccessDeniedException outside the management account.
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

type createUnitInput struct {
	ParentId string
	Name     string
	Tags     []tag
}

func createOrganizationalUnit(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[createUnitInput](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := requireID("ParentId", in.ParentId, parentIDPattern); err != nil {
		return nil, false, err
	}
	if err := c.authorize("CreateOrganizationalUnit", o.targetARN(in.ParentId)); err != nil {
		return nil, false, err
	}
	if err := checkUnitName(in.Name); err != nil {
		return nil, false, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, false, err
	}
	if !o.parentExists(in.ParentId) {
		return nil, false, orgError("ParentNotFoundException", http.StatusNotFound,
			"parent %s not found: use ListRoots or ListOrganizationalUnitsForParent for valid ids", in.ParentId)
	}
	if slices.ContainsFunc(o.Units, func(u *orgUnit) bool { return u.ParentID == in.ParentId && u.Name == in.Name }) {
		return nil, false, orgError("DuplicateOrganizationalUnitException", http.StatusConflict,
			"an OU named %q already exists in parent %s", in.Name, in.ParentId)
	}
	if depth := o.depth(in.ParentId) + 1; depth > maxOUDepth {
		return nil, false, constraintViolation("OU_DEPTH_LIMIT_EXCEEDED",
			"OU %q would be %d levels deep: the maximum depth is %d", in.Name, depth, maxOUDepth)
	}
	if len(o.Units) >= maxOUs {
		return nil, false, constraintViolation("OU_NUMBER_LIMIT_EXCEEDED",
			"the organization already has %d OUs, the maximum", maxOUs)
	}
	if len(in.Tags) > maxTagsPerTarget {
		return nil, false, constraintViolation("MAX_TAG_LIMIT_EXCEEDED",
			"%d tags given: a resource can have at most %d", len(in.Tags), maxTagsPerTarget)
	}

	u := &orgUnit{
		ID:       "ou-" + o.Organization.RootID[2:] + "-" + randomID(8),
		Name:     in.Name,
		ParentID: in.ParentId,
	}
	o.Units = append(o.Units, u)
	if len(in.Tags) > 0 {
		o.setTags(u.ID, in.Tags)
	}
	return map[string]any{"OrganizationalUnit": o.wireUnit(u)}, true, nil
}

func checkUnitName(name string) *api.Error {
	if name == "" {
		return invalidInput("INPUT_REQUIRED", "missing Name")
	}
	if len(name) > 128 {
		return invalidInput("MAX_LENGTH_EXCEEDED", "invalid OU name %q: at most 128 characters", name)
	}
	return nil
}

func describeOrganizationalUnit(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ OrganizationalUnitId string }](c.body)
	if err != nil {
		return nil, false, err
	}
	u, err := o.findUnit(in.OrganizationalUnitId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("DescribeOrganizationalUnit", o.unitARN(u.ID)); err != nil {
		return nil, false, err
	}
	return map[string]any{"OrganizationalUnit": o.wireUnit(u)}, false, nil
}

func (o *organizations) findUnit(id string) (*orgUnit, *api.Error) {
	if err := requireID("OrganizationalUnitId", id, unitIDPattern); err != nil {
		return nil, err
	}
	u := o.unit(id)
	if u == nil {
		return nil, orgError("OrganizationalUnitNotFoundException", http.StatusNotFound, "OU %s not found", id)
	}
	return u, nil
}

func updateOrganizationalUnit(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ OrganizationalUnitId, Name string }](c.body)
	if err != nil {
		return nil, false, err
	}
	u, err := o.findUnit(in.OrganizationalUnitId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("UpdateOrganizationalUnit", o.unitARN(u.ID)); err != nil {
		return nil, false, err
	}
	if in.Name != "" {
		if err := checkUnitName(in.Name); err != nil {
			return nil, false, err
		}
		if slices.ContainsFunc(o.Units, func(s *orgUnit) bool { return s != u && s.ParentID == u.ParentID && s.Name == in.Name }) {
			return nil, false, orgError("DuplicateOrganizationalUnitException", http.StatusConflict,
				"an OU named %q already exists in parent %s", in.Name, u.ParentID)
		}
		u.Name = in.Name
	}
	return map[string]any{"OrganizationalUnit": o.wireUnit(u)}, true, nil
}

func deleteOrganizationalUnit(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ OrganizationalUnitId string }](c.body)
	if err != nil {
		return nil, false, err
	}
	u, err := o.findUnit(in.OrganizationalUnitId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("DeleteOrganizationalUnit", o.unitARN(u.ID)); err != nil {
		return nil, false, err
	}
	hasChild := slices.ContainsFunc(o.Units, func(s *orgUnit) bool { return s.ParentID == u.ID }) ||
		slices.ContainsFunc(o.Members, func(a *account) bool { return a.ParentID == u.ID }) ||
		o.Management.ParentID == u.ID
	if hasChild {
		return nil, false, orgError("OrganizationalUnitNotEmptyException", http.StatusConflict,
			"OU %s still contains accounts or OUs: move or delete them first", u.ID)
	}
	o.Units = slices.DeleteFunc(o.Units, func(s *orgUnit) bool { return s == u })
	delete(o.Tags, u.ID)
	return nil, true, nil
}

func listOrganizationalUnitsForParent(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct {
		ParentId string
		pageRequest
	}](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := o.checkParent(in.ParentId); err != nil {
		return nil, false, err
	}
	if err := c.authorize("ListOrganizationalUnitsForParent", o.targetARN(in.ParentId)); err != nil {
		return nil, false, err
	}
	var units []wireUnit
	for _, u := range o.Units {
		if u.ParentID == in.ParentId {
			units = append(units, o.wireUnit(u))
		}
	}
	items, next, err := page(units, "ListOrganizationalUnitsForParent", in.pageRequest)
	if err != nil {
		return nil, false, err
	}
	return listOutput("OrganizationalUnits", nonNil(items), next), false, nil
}

// checkParent validates a ParentId member and checks that the parent exists.
func (o *organizations) checkParent(id string) *api.Error {
	if err := requireID("ParentId", id, parentIDPattern); err != nil {
		return err
	}
	if !o.parentExists(id) {
		return orgError("ParentNotFoundException", http.StatusNotFound, "parent %s not found", id)
	}
	return nil
}

func listParents(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct {
		ChildId string
		pageRequest
	}](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := requireID("ChildId", in.ChildId, childIDPattern); err != nil {
		return nil, false, err
	}
	var parentID string
	if u := o.unit(in.ChildId); u != nil {
		parentID = u.ParentID
	} else if a := o.account(in.ChildId); a != nil && o.organizationOf(a.ID) != "" {
		parentID = a.ParentID
	} else {
		return nil, false, orgError("ChildNotFoundException", http.StatusNotFound, "child %s not found", in.ChildId)
	}
	if err := c.authorize("ListParents", o.targetARN(in.ChildId)); err != nil {
		return nil, false, err
	}
	parentType := "ORGANIZATIONAL_UNIT"
	if parentID == o.Organization.RootID {
		parentType = "ROOT"
	}
	items, next, err := page([]wireParent{{Id: parentID, Type: parentType}}, "ListParents", in.pageRequest)
	if err != nil {
		return nil, false, err
	}
	return listOutput("Parents", items, next), false, nil
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
