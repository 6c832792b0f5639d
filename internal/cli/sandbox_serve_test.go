package cli

import (
	"bytes"
	"io"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestSandboxServeChildArgs(t *testing.T) {
	parent := sandboxServeOptions{
		Addr:                   "localhost:0",
		StatePath:              "state dir/sandbox.json",
		CreateAccountDelay:     1500 * time.Millisecond,
		ConsistencyDelay:       3 * time.Second,
		ThrottleRate:           0.125,
		AccountQuota:           7,
		MaxConcurrentCreations: 2,
		EnforceIAM:             true,
		Detach:                 true,
		ListenFD:               9,
		ReadyFD:                10,
	}
	// A zero field would pass whether childArgs forwards it or not.
	fields := reflect.ValueOf(parent)
	for i := range fields.NumField() {
		if fields.Field(i).IsZero() {
			t.Fatalf("the parent options leave %s zero: give it a value other than its default",
				fields.Type().Field(i).Name)
		}
	}

	args := parent.childArgs("127.0.0.1:40001")
	if len(args) < 2 || args[0] != "sandbox" || args[1] != "serve" {
		t.Fatalf("child args start with %q, want sandbox serve", args)
	}
	var child sandboxServeOptions
	flags := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	child.bindFlags(flags)
	if err := flags.Parse(args[2:]); err != nil {
		t.Fatalf("parsing the child args %q: %v", args, err)
	}

	want := parent
	want.Addr = "127.0.0.1:40001"
	want.Detach = false
	want.ListenFD = childListenFD
	want.ReadyFD = childReadyFD
	if child != want {
		t.Errorf("child options: got %+v, want %+v", child, want)
	}
}

func TestIsStdoutPipe(t *testing.T) {
	reader, writer, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	defer writer.Close()

	tests := []struct {
		name string
		out  io.Writer
	}{
		{"buffer", &bytes.Buffer{}},
		{"pipe other than stdout", writer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if isStdoutPipe(tt.out) {
				t.Errorf("isStdoutPipe = true, want false")
			}
		})
	}
}
