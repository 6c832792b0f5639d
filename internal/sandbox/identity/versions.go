package identity

import (
	"strconv"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

func iamCreatePolicyVersion(s *Store, c *call) (any, bool, *api.Error) {
	text, err := c.required("PolicyDocument")
	if err != nil {
		return nil, false, err
	}
	mp, err := s.customerPolicyTarget(c, "iam:CreatePolicyVersion")
	if err != nil {
		return nil, false, err
	}
	if _, err := parseManaged(text); err != nil {
		return nil, false, err
	}
	if len(mp.Versions) >= maxPolicyVersions {
		return nil, false, limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}

	now := s.now()
	// IAM never reuses a version id, even after the version is deleted.
	v := policyVersion{ID: "v" + strconv.Itoa(mp.NextVersion), Document: text, Created: now}
	mp.NextVersion++
	mp.Versions = append(mp.Versions, v)
	mp.Updated = now
	setDefault := c.boolean("SetAsDefault")
	if setDefault {
		mp.Default = record(mp.Default, now, v.ID, s.cutoff())
	}
	return struct{ PolicyVersion policyVersionXML }{versionXML(v, setDefault, false)}, true, nil
}

// versionTarget reads VersionId and returns that version of the target
// policy of action.
func (s *Store) versionTarget(c *call, action string, customerOnly bool) (*managedPolicy, *policyVersion, *api.Error) {
	id, err := c.required("VersionId")
	if err != nil {
		return nil, nil, err
	}
	target := s.policyTarget
	if customerOnly {
		target = s.customerPolicyTarget
	}
	mp, err := target(c, action)
	if err != nil {
		return nil, nil, err
	}
	v := mp.version(id)
	if v == nil {
		return nil, nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", mp.ARN, id)
	}
	return mp, v, nil
}

func iamGetPolicyVersion(s *Store, c *call) (any, bool, *api.Error) {
	mp, v, err := s.versionTarget(c, "iam:GetPolicyVersion", false)
	if err != nil {
		return nil, false, err
	}
	return struct{ PolicyVersion policyVersionXML }{versionXML(*v, v.ID == mp.defaultVersion(), true)}, false, nil
}

func iamListPolicyVersions(s *Store, c *call) (any, bool, *api.Error) {
	offset, max, err := c.page()
	if err != nil {
		return nil, false, err
	}
	mp, err := s.policyTarget(c, "iam:ListPolicyVersions")
	if err != nil {
		return nil, false, err
	}
	// IAM lists the newest version first.
	var list []policyVersionXML
	for i := len(mp.Versions) - 1; i >= 0; i-- {
		v := mp.Versions[i]
		list = append(list, versionXML(v, v.ID == mp.defaultVersion(), false))
	}
	from, to, truncated, marker := pageOf(len(list), offset, max)
	return struct {
		Versions    []policyVersionXML `xml:"Versions>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{list[from:to], truncated, marker}, false, nil
}

func iamDeletePolicyVersion(s *Store, c *call) (any, bool, *api.Error) {
	mp, v, err := s.versionTarget(c, "iam:DeletePolicyVersion", true)
	if err != nil {
		return nil, false, err
	}
	if v.ID == mp.defaultVersion() {
		return nil, false, deleteConflict("Cannot delete the default version of a policy.")
	}
	// NOTE: a version deleted within the consistency delay of being the
	// default stops applying at once, since its document is gone.
	var kept []policyVersion
	for _, other := range mp.Versions {
		if other.ID != v.ID {
			kept = append(kept, other)
		}
	}
	mp.Versions = kept
	mp.Updated = s.now()
	return nil, true, nil
}

func iamSetDefaultPolicyVersion(s *Store, c *call) (any, bool, *api.Error) {
	mp, v, err := s.versionTarget(c, "iam:SetDefaultPolicyVersion", true)
	if err != nil {
		return nil, false, err
	}
	if v.ID != mp.defaultVersion() {
		mp.Default = record(mp.Default, s.now(), v.ID, s.cutoff())
		mp.Updated = s.now()
	}
	return nil, true, nil
}
