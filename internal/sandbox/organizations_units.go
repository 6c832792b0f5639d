package sandbox

import (
	"net/http"
	"slices"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

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
