package tui

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/x/exp/golden" // defines -update

	"github.com/orgstrap/orgstrap/internal/access"
	"github.com/orgstrap/orgstrap/internal/engine"
	"github.com/orgstrap/orgstrap/internal/library"
	"github.com/orgstrap/orgstrap/internal/sandbox"
	"github.com/orgstrap/orgstrap/internal/sandbox/sandboxtest"
)

// testLibrary loads the policy library once for all tests.
var testLibrary = sync.OnceValues(func() (*library.Library, error) { return library.Load() })

// newTestBackend returns an EngineBackend on a fresh sandbox, with fast
// waits, its config and AWS CLI config files in a temporary directory.
func newTestBackend(t *testing.T, opts sandbox.Options) (*EngineBackend, *sandbox.Sandbox) {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	lib, err := testLibrary()
	if err != nil {
		t.Fatalf("loading the policy library: %v", err)
	}
	if opts.CreateAccountDelay == 0 {
		opts.CreateAccountDelay = 200 * time.Millisecond
	}
	sb, cfg := sandboxtest.Start(t, opts)
	// Relative paths keep the screens the same from run to run.
	t.Chdir(t.TempDir())
	return &EngineBackend{
		AWS: cfg, Library: lib, ConfigPath: "orgstrap.yaml",
		Options: engine.Options{
			Retry:         access.RetryOptions{MaxAttempts: 12, MaxBackoff: 50 * time.Millisecond},
			Poll:          access.Backoff{Initial: 50 * time.Millisecond, Max: 200 * time.Millisecond},
			AssumeTimeout: 30 * time.Second,
			ProfileFile:   "aws-config",
		},
	}, sb
}

// driver runs a Model the way tea.Program does, but lets the test read
// the view between messages: commands run in goroutines, their messages
// are handled one at a time on the test's goroutine. Spinner and clock
// ticks are dropped so that nothing repeats forever.
type driver struct {
	t     *testing.T
	m     *Model
	msgs  chan tea.Msg
	quit  bool
	ticks int
}

func newDriver(t *testing.T, backend Backend) *driver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d := &driver{t: t, m: NewModel(ctx, backend), msgs: make(chan tea.Msg, 256)}
	d.handle(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.exec(d.m.Init())
	return d
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd != nil {
		go func() { d.msgs <- cmd() }()
	}
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, cmd := range msg {
			d.exec(cmd)
		}
		return
	case tea.QuitMsg:
		d.quit = true
		return
	case spinner.TickMsg, elapsedMsg:
		d.ticks++
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// key sends one key: a name such as "enter", "down", "esc", "space",
// "ctrl+u", or runes to type.
func (d *driver) key(name string) {
	d.t.Helper()
	types := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "down": tea.KeyDown, "up": tea.KeyUp, "esc": tea.KeyEsc,
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "left": tea.KeyLeft, "right": tea.KeyRight,
		"ctrl+u": tea.KeyCtrlU, "ctrl+c": tea.KeyCtrlC, "pgdown": tea.KeyPgDown,
	}
	if name == "space" {
		d.handle(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	} else if kt, ok := types[name]; ok {
		d.handle(tea.KeyMsg{Type: kt})
	} else {
		d.handle(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)})
	}
	d.drain()
}

// keys sends each key in turn.
func (d *driver) keys(names ...string) {
	d.t.Helper()
	for _, n := range names {
		d.key(n)
	}
}

// drain handles the messages that are ready without waiting for more.
func (d *driver) drain() {
	for {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-time.After(20 * time.Millisecond):
			return
		}
	}
}

// waitFor handles messages until the view contains text.
func (d *driver) waitFor(text string) string {
	d.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		view := d.m.View()
		if strings.Contains(view, text) {
			return view
		}
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %q; the screen shows:\n%s", text, view)
		}
	}
}

// testdataDir is resolved when the package loads, before any test
// changes the working directory.
var testdataDir, _ = filepath.Abs("testdata")

// requireGolden compares got with testdata/TEST_NAME.golden; -update (the
// flag of charmbracelet/x/exp/golden, which teatest uses) rewrites it.
func requireGolden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, t.Name()+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("screen differs from %s\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// screen returns the current view, with the values that change from run
// to run replaced.
func (d *driver) screen() string { return normalize(d.m.View()) }

var volatile = []struct {
	pattern *regexp.Regexp
	with    string
}{
	{regexp.MustCompile(`\b\d{12}\b`), "123456789012"},
	// The environments screen clips an adopted account's id.
	{regexp.MustCompile(`adopt \d{7}…`), "adopt 1234567…"},
	{regexp.MustCompile(`\bo-[a-z0-9]{10,32}\b`), "o-exampleorg"},
	{regexp.MustCompile(`elapsed \d+s`), "elapsed 0s"},
	{regexp.MustCompile(`Applied in \d+s`), "Applied in 0s"},
	{regexp.MustCompile(`request car-[a-z0-9]+`), "request car-example"},
	{regexp.MustCompile(`\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b`), "2026-01-02T03:04:05Z"},
	{regexp.MustCompile(`\b[0-9a-f]{40}\b`), "<new external id>"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.pattern.ReplaceAllString(s, v.with)
	}
	return s
}
