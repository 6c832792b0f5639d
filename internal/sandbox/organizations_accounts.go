package sandbox

import (
	"log/slog"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// The states and failure reasons of a CreateAccount request.
const (
	createInProgress = "IN_PROGRESS"
	createSucceeded  = "SUCCEEDED"
	createFailed     = "FAILED"

	failEmailExists   = "EMAIL_ALREADY_EXISTS"
	failAccountLimit  = "ACCOUNT_LIMIT_EXCEEDED"
	failInvalidEmail  = "INVALID_EMAIL"
	failInternal      = "INTERNAL_FAILURE"
	failConcurrent    = "CONCURRENT_ACCOUNT_MODIFICATION"
	defaultAccessRole = "OrganizationAccountAccessRole"
)

// Input patterns from the Organizations model.
var (
	emailPattern       = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	roleNamePattern    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	requestIDPattern   = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
	accountNamePattern = regexp.MustCompile(`^[ -~]{1,50}$`)
)

// createAccountState is one CreateAccount request. Its outcome is decided
// when it is made and becomes visible once the create-account delay has
// passed; advance applies it.
type createAccountState struct {
	ID          string    `json:"id"`
	AccountName string    `json:"accountName"`
	Email       string    `json:"email"`
	RoleName    string    `json:"roleName"`
	Tags        []tag     `json:"tags,omitempty"`
	State       string    `json:"state"`
	Requested   time.Time `json:"requested"`
	Completed   time.Time `json:"completed,omitzero"`
	AccountID   string    `json:"accountId,omitempty"`
	// FailureReason is set once the request has FAILED.
	FailureReason string `json:"failureReason,omitempty"`
	// PendingFailure is the reason the request will fail with, while it is
	// still IN_PROGRESS.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

type wireCreateAccountStatus struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp epochTime
	CompletedTimestamp *epochTime `json:",omitempty"`
	AccountId          string     `json:",omitempty"`
	FailureReason      string     `json:",omitempty"`
}

func (r *createAccountState) wire() wireCreateAccountStatus {
	w := wireCreateAccountStatus{
		Id:                 r.ID,
		AccountName:        r.AccountName,
		State:              r.State,
		RequestedTimestamp: epochTime(r.Requested),
		AccountId:          r.AccountID,
		FailureReason:      r.FailureReason,
	}
	if !r.Completed.IsZero() {
		completed := epochTime(r.Completed)
		w.CompletedTimestamp = &completed
	}
	return w
}

// advance finishes the CreateAccount requests whose delay has passed by
// now, in the order they were made. A successful one adds the account to
// the root and creates its access role in iam, trusting the management
// account. It reports whether anything changed.
func (o *organizations) advance(now time.Time, iam identityStore, logger *slog.Logger) (changed bool) {
	for _, r := range o.Requests {
		done := r.Requested.Add(o.delay)
		if r.State != createInProgress || done.After(now) {
			continue
		}
		changed = true
		r.Completed = done
		if r.PendingFailure != "" {
			r.State, r.FailureReason, r.PendingFailure = createFailed, r.PendingFailure, ""
			continue
		}

		id := o.newAccountID()
		iam.AddAccount(id)
		if err := iam.CreateAccessRole(id, r.RoleName, o.Management.ID, done); err != nil {
			// The role name was validated when the request was made, so
			// this is a bug in the sandbox, reported as AWS reports its own.
			logger.Error("creating the access role of a new account failed",
				"request", r.ID, "account", id, "role", r.RoleName, "error", err)
			r.State, r.FailureReason = createFailed, failInternal
			continue
		}
		o.Members = append(o.Members, &account{
			ID:           id,
			Name:         r.AccountName,
			Email:        r.Email,
			ParentID:     o.Organization.RootID,
			JoinedMethod: "CREATED",
			Joined:       done,
		})
		if len(r.Tags) > 0 {
			o.setTags(id, r.Tags)
		}
		r.State, r.AccountID = createSucceeded, id
	}
	return changed
}

type createAccountInput struct {
	Email                  string
	AccountName            string
	RoleName               string
	IamUserAccessToBilling string
	Tags                   []tag
}

func createAccount(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[createAccountInput](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("CreateAccount", "*"); err != nil {
		return nil, false, err
	}
	if err := checkCreateAccountInput(in); err != nil {
		return nil, false, err
	}
	if in.RoleName == "" {
		in.RoleName = defaultAccessRole
	}

	r := &createAccountState{
		ID:          "car-" + randomID(32),
		AccountName: in.AccountName,
		Email:       in.Email,
		RoleName:    in.RoleName,
		Tags:        in.Tags,
		State:       createInProgress,
		Requested:   c.now,
	}
	switch {
	case o.maxCreating > 0 && o.creating() >= o.maxCreating:
		r.PendingFailure = failConcurrent
	case !deliverableEmail(in.Email):
		r.PendingFailure = failInvalidEmail
	case o.emailInUse(in.Email):
		r.PendingFailure = failEmailExists
	case o.accountsCommitted() >= o.quota:
		r.PendingFailure = failAccountLimit
	}
	o.Requests = append(o.Requests, r)
	return map[string]any{"CreateAccountStatus": r.wire()}, true, nil
}

// creating counts the requests in progress that will succeed.
func (o *organizations) creating() int {
	n := 0
	for _, r := range o.Requests {
		if r.State == createInProgress && r.PendingFailure == "" {
			n++
		}
	}
	return n
}

// checkCreateAccountInput applies the model's constraints, which AWS checks
// before it accepts a request.
func checkCreateAccountInput(in *createAccountInput) *api.Error {
	switch {
	case in.Email == "":
		return invalidInput("INPUT_REQUIRED", "missing Email")
	case len(in.Email) < 6:
		return invalidInput("MIN_LENGTH_EXCEEDED", "invalid Email %q: at least 6 characters", in.Email)
	case len(in.Email) > 64:
		return invalidInput("MAX_LENGTH_EXCEEDED", "invalid Email %q: at most 64 characters", in.Email)
	case !emailPattern.MatchString(in.Email):
		return invalidInput("INVALID_PATTERN", "invalid Email %q: want an address like name@example.com", in.Email)
	case in.AccountName == "":
		return invalidInput("INPUT_REQUIRED", "missing AccountName")
	case !accountNamePattern.MatchString(in.AccountName):
		return invalidInput("INVALID_PATTERN", "invalid AccountName %q: 1 to 50 printable ASCII characters", in.AccountName)
	case in.RoleName != "" && !roleNamePattern.MatchString(in.RoleName):
		return invalidInput("INVALID_ROLE_NAME", "invalid RoleName %q: up to 64 letters, digits and +=,.@_-", in.RoleName)
	case in.IamUserAccessToBilling != "" && in.IamUserAccessToBilling != "ALLOW" && in.IamUserAccessToBilling != "DENY":
		return invalidInput("INVALID_ENUM", "invalid IamUserAccessToBilling %q: want ALLOW or DENY", in.IamUserAccessToBilling)
	case len(in.Tags) > maxTagsPerTarget:
		return constraintViolation("MAX_TAG_LIMIT_EXCEEDED", "%d tags given: an account can have at most %d",
			len(in.Tags), maxTagsPerTarget)
	}
	return checkTags(in.Tags)
}

// deliverableEmail applies the stricter address check that AWS makes after
// accepting a request, whose failure is INVALID_EMAIL: 7-bit ASCII, and a
// valid RFC 5322 address with a dotted domain.
func deliverableEmail(email string) bool {
	for _, r := range email {
		if r > 127 {
			return false
		}
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(email, "@")
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
	}
	return true
}

// accountsCommitted counts the accounts in the organization plus the
// requests still in progress that will succeed, which the quota covers.
func (o *organizations) accountsCommitted() int {
	n := len(o.accounts())
	for _, r := range o.Requests {
		if r.State == createInProgress && r.PendingFailure == "" {
			n++
		}
	}
	return n
}

func describeCreateAccountStatus(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct{ CreateAccountRequestId string }](c.body)
	if err != nil {
		return nil, false, err
	}
	if err := requireID("CreateAccountRequestId", in.CreateAccountRequestId, requestIDPattern); err != nil {
		return nil, false, err
	}
	if err := c.authorize("DescribeCreateAccountStatus", "*"); err != nil {
		return nil, false, err
	}
	i := slices.IndexFunc(o.Requests, func(r *createAccountState) bool { return r.ID == in.CreateAccountRequestId })
	if i < 0 {
		return nil, false, orgError("CreateAccountStatusNotFoundException", http.StatusNotFound,
			"CreateAccount request %s not found", in.CreateAccountRequestId)
	}
	return map[string]any{"CreateAccountStatus": o.Requests[i].wire()}, false, nil
}

func listCreateAccountStatus(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct {
		States []string
		pageRequest
	}](c.body)
	if err != nil {
		return nil, false, err
	}
	for _, s := range in.States {
		if s != createInProgress && s != createSucceeded && s != createFailed {
			return nil, false, invalidInput("INVALID_ENUM", "invalid state %q: want IN_PROGRESS, SUCCEEDED or FAILED", s)
		}
	}
	if err := c.authorize("ListCreateAccountStatus", "*"); err != nil {
		return nil, false, err
	}
	var statuses []wireCreateAccountStatus
	for _, r := range o.Requests {
		if len(in.States) == 0 || slices.Contains(in.States, r.State) {
			statuses = append(statuses, r.wire())
		}
	}
	items, next, err := page(statuses, "ListCreateAccountStatus", in.pageRequest)
	if err != nil {
		return nil, false, err
	}
	return listOutput("CreateAccountStatuses", nonNil(items), next), false, nil
}
