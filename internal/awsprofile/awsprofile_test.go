package awsprofile

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var testProfiles = []Profile{
	{Name: "orgstrap-dev", RoleARN: "arn:aws:iam::111111111111:role/orgstrap-deploy",
		SourceProfile: "default", Region: "us-east-1", RoleSessionName: "orgstrap-dev"},
	{Name: "orgstrap-prod", RoleARN: "arn:aws:iam::222222222222:role/orgstrap-deploy",
		CredentialSource: "Environment", Region: "us-east-1", RoleSessionName: "orgstrap-prod"},
}

func TestUpdateGolden(t *testing.T) {
	for _, name := range []string{"existing", "no-newline", "empty"} {
		t.Run(name, func(t *testing.T) {
			input, err := os.ReadFile(filepath.Join("testdata", name+".input"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Update(string(input), "orgstrap", testProfiles)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("Update output:\n%s\nwant:\n%s", got, want)
			}
			again, err := Update(got, "orgstrap", testProfiles)
			if err != nil || again != got {
				t.Errorf("second Update changed the text (err %v):\n%s", err, again)
			}
		})
	}
}

func TestUpdateKeepsForeignSections(t *testing.T) {
	input, _ := os.ReadFile(filepath.Join("testdata", "existing.input"))
	got, err := Update(string(input), "orgstrap", testProfiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# my settings\n[default]\nregion = eu-west-1\noutput = json\n\n",
		"; a semicolon comment\nsso_region = eu-west-1\n", "[profile last]\nregion = ap-southeast-2\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(got, "orgstrap-old") {
		t.Errorf("output keeps the stale profile orgstrap-old:\n%s", got)
	}
}

func TestUpdateRejectsForeignClash(t *testing.T) {
	_, err := Update("[profile orgstrap-dev]\nregion = us-east-1\n", "orgstrap", testProfiles)
	if err == nil || !strings.Contains(err.Error(), "not written by orgstrap") {
		t.Errorf("Update: got %v, want a clash error", err)
	}
}

func TestWriteAtomicAndIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aws", "config")
	changed, err := Write(path, "orgstrap", testProfiles)
	if err != nil || !changed {
		t.Fatalf("first Write: changed %v, err %v; want true, nil", changed, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode: got %v, want 0600", info.Mode().Perm())
	}
	changed, err = Write(path, "orgstrap", testProfiles)
	if err != nil || changed {
		t.Errorf("second Write: changed %v, err %v; want false, nil", changed, err)
	}
	data, _ := os.ReadFile(path)
	for _, secret := range []string{"aws_secret_access_key", "aws_session_token"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("file contains %s", secret)
		}
	}
}
