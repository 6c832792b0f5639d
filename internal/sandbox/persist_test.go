package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

func TestStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	opts := sandbox.Options{StatePath: path, CreateAccountDelay: -1}

	first, cfgFirst, client := startOrg(t, opts)
	root := rootID(t, client)
	ou, err := client.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: &root, Name: aws.String("workloads"),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}},
	})
	if err != nil {
		t.Fatalf("CreateOrganizationalUnit: %v", err)
	}
	created, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("dev"), Email: aws.String("dev@example.com"),
	})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	// The request finishes on this call, and the finished state is saved.
	status := describeStatus(t, client, created.CreateAccountStatus.Id)
	if status.State != types.CreateAccountStateSucceeded {
		t.Fatalf("state = %s, want SUCCEEDED", status.State)
	}

	_, err = iam.NewFromConfig(cfgFirst).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("kept"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::` + first.ManagementAccountID() + `:root"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}

	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("state file: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("state file mode = %o, want 600", perm)
	}

	// The first process stops, which releases the state file.
	first.Close()
	second, cfg := sandboxtest.Start(t, opts)
	if second.ManagementAccountID() != first.ManagementAccountID() {
		t.Errorf("management account after reload = %s, want %s", second.ManagementAccountID(), first.ManagementAccountID())
	}
	firstKey, firstSecret := first.AdminCredentials()
	secondKey, secondSecret := second.AdminCredentials()
	if firstKey != secondKey || firstSecret != secondSecret {
		t.Errorf("administrator key changed across a reload")
	}

	reloaded := organizations.NewFromConfig(cfg)
	accounts, err := reloaded.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: &root})
	if err != nil {
		t.Fatalf("ListAccountsForParent after reload: %v", err)
	}
	if len(accounts.Accounts) != 2 {
		t.Errorf("root has %d accounts after reload, want 2", len(accounts.Accounts))
	}
	tags, err := reloaded.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: ou.OrganizationalUnit.Id})
	if err != nil {
		t.Fatalf("ListTagsForResource after reload: %v", err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "platform" {
		t.Errorf("OU tags after reload = %v, want owner=platform", tags.Tags)
	}
	if _, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("kept")}); err != nil {
		t.Errorf("GetRole after reload: %v", err)
	}
	statuses, err := reloaded.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
	if err != nil {
		t.Fatalf("ListCreateAccountStatus after reload: %v", err)
	}
	if len(statuses.CreateAccountStatuses) != 1 || statuses.CreateAccountStatuses[0].State != types.CreateAccountStateSucceeded {
		t.Errorf("create-account requests after reload = %v, want one SUCCEEDED", statuses.CreateAccountStatuses)
	}
}

func TestStateFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"corrupt JSON", `{"version": 1, "organizations": {`, "invalid JSON"},
		{"other version", `{"version": 99}`, "unsupported state format version 99"},
		{"empty object", `{"version": 1}`, "no management account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sandbox.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := sandbox.New(sandbox.Options{StatePath: path})
			var stateErr *sandbox.StateError
			if !errors.As(err, &stateErr) {
				t.Fatalf("New: got %v, want a *sandbox.StateError", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s and %q", err, path, tt.want)
			}
			if !strings.Contains(stateErr.Hint(), "orgstrap sandbox reset") {
				t.Errorf("hint %q does not mention orgstrap sandbox reset", stateErr.Hint())
			}
			data, _ := os.ReadFile(path)
			if string(data) != tt.content {
				t.Errorf("the state file was changed to %q", data)
			}
		})
	}

	t.Run("unreadable", func(t *testing.T) {
		// A directory in place of the file cannot be read as one, even by
		// root, which ignores file modes.
		path := t.TempDir()
		_, err := sandbox.New(sandbox.Options{StatePath: path})
		var stateErr *sandbox.StateError
		if !errors.As(err, &stateErr) {
			t.Fatalf("New: got %v, want a *sandbox.StateError", err)
		}
	})
}

func TestStateFileCreatedOnFirstStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	sb, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the new state file: %v", err)
	}
	if !strings.Contains(string(data), sb.ManagementAccountID()) {
		t.Errorf("state file does not contain the management account %s", sb.ManagementAccountID())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"sandbox.json", "sandbox.json.lock"}; !slices.Equal(names, want) {
		t.Errorf("state directory holds %v, want %v (no temporary files left)", names, want)
	}
}

func TestStateFileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	first, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatalf("first New: %v", err)
	}
	_, err = sandbox.New(sandbox.Options{StatePath: path})
	var stateErr *sandbox.StateError
	if !errors.As(err, &stateErr) || !strings.Contains(err.Error(), "in use by another sandbox process") {
		t.Fatalf("second New: got %v, want a StateError saying the state is in use", err)
	}
	if !strings.Contains(stateErr.Hint(), "--state") {
		t.Errorf("hint %q does not offer another --state", stateErr.Hint())
	}

	first.Close()
	second, err := sandbox.New(sandbox.Options{StatePath: path})
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	defer second.Close()
	if second.ManagementAccountID() != first.ManagementAccountID() {
		t.Errorf("management account: got %s after reload, want %s", second.ManagementAccountID(), first.ManagementAccountID())
	}
}

func TestStateSaveFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, cfg := sandboxtest.Start(t, sandbox.Options{StatePath: filepath.Join(dir, "sandbox.json")})
	// Without its directory the state cannot be saved.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	client := organizations.NewFromConfig(noRetry(cfg))
	_, err := client.CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{})
	apiErr := wantAPIError(t, err, "ServiceException")
	if !strings.Contains(apiErr.ErrorMessage(), "saving the sandbox state failed") {
		t.Errorf("message %q does not say that saving failed", apiErr.ErrorMessage())
	}
	_, err = iam.NewFromConfig(noRetry(cfg)).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("u")})
	wantAPIError(t, err, "ServiceFailure")
}
