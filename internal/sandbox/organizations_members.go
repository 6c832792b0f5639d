package sandbox

import (
	"net/http"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

type wireAccount struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp epochTime
}

func (o *organizations) wireAccount(a *account) wireAccount {
	return wireAccount{
		Id:              a.ID,
		Arn:             o.accountARN(a.ID),
		Email:           a.Email,
		Name:            a.Name,
		Status:          "ACTIVE",
		State:           "ACTIVE",
		JoinedMethod:    a.JoinedMethod,
		JoinedTimestamp: epochTime(a.Joined),
	}
}

func listAccounts(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[pageRequest](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("ListAccounts", "*"); err != nil {
		return nil, false, err
	}
	var accounts []wireAccount
	for _, a := range o.accounts() {
		accounts = append(accounts, o.wireAccount(a))
	}
	items, next, err := page(accounts, "ListAccounts", *in)
	if err != nil {
		return nil, false, err
	}
	return listOutput("Accounts", nonNil(items), next), false, nil
}

func listAccountsForParent(o *organizations, c *orgCall) (any, bool, *api.Error) {
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
	if err := c.authorize("ListAccountsForParent", o.targetARN(in.ParentId)); err != nil {
		return nil, false, err
	}
	var accounts []wireAccount
	for _, a := range o.accounts() {
		if a.ParentID == in.ParentId {
			accounts = append(accounts, o.wireAccount(a))
		}
	}
	items, next, err := page(accounts, "ListAccountsForParent", in.pageRequest)
	if err != nil {
		return nil, false, err
	}
	return listOutput("Accounts", nonNil(items), next), false, nil
}

// findAccount validates an AccountId member and returns the account in the
// organization with that id.
func (o *organizations) findAccount(id string) (*account, *api.Error) {
	if err := requireID("AccountId", id, accountIDRegexp); err != nil {
		return nil, err
	}
	a := o.account(id)
	if a == nil || o.organizationOf(id) == "" {
		return nil, orgError("AccountNotFoundException", http.StatusNotFound,
			"account %s not found in organization %s", id, o.Organization.ID)
	}
	return a, nil
}

func describeAccount(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ AccountId string }](c.body)
	if err != nil {
		return nil, false, err
	}
	a, err := o.findAccount(in.AccountId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("DescribeAccount", o.accountARN(a.ID)); err != nil {
		return nil, false, err
	}
	return map[string]any{"Account": o.wireAccount(a)}, false, nil
}

func moveAccount(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ AccountId, SourceParentId, DestinationParentId string }](c.body)
	if err != nil {
		return nil, false, err
	}
	a, err := o.findAccount(in.AccountId)
	if err != nil {
		return nil, false, err
	}
	if err := requireID("SourceParentId", in.SourceParentId, parentIDPattern); err != nil {
		return nil, false, err
	}
	if err := requireID("DestinationParentId", in.DestinationParentId, parentIDPattern); err != nil {
		return nil, false, err
	}
	if err := c.authorize("MoveAccount", o.accountARN(a.ID)); err != nil {
		return nil, false, err
	}

	if !o.parentExists(in.SourceParentId) {
		return nil, false, orgError("SourceParentNotFoundException", http.StatusNotFound,
			"source parent %s not found", in.SourceParentId)
	}
	if !o.parentExists(in.DestinationParentId) {
		return nil, false, orgError("DestinationParentNotFoundException", http.StatusNotFound,
			"destination parent %s not found", in.DestinationParentId)
	}
	if a.ParentID != in.SourceParentId {
		return nil, false, orgError("AccountNotFoundException", http.StatusNotFound,
			"account %s is not in source parent %s but in %s: use ListParents to find its parent",
			a.ID, in.SourceParentId, a.ParentID)
	}
	if a.ParentID == in.DestinationParentId {
		return nil, false, orgError("DuplicateAccountException", http.StatusConflict,
			"account %s is already in %s", a.ID, in.DestinationParentId)
	}

	a.ParentID = in.DestinationParentId
	return nil, true, nil
}
