package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// stateFormatVersion is the version of the state file layout. A file with
// another version is rejected rather than misread.
const stateFormatVersion = 1

// stateFile is the JSON layout of the state file.
type stateFile struct {
	Version       int             `json:"version"`
	Admin         adminKey        `json:"admin"`
	Organizations *organizations  `json:"organizations"`
	Identity      json.RawMessage `json:"identity"`
}

// StateError reports a state file that exists but cannot be used. The
// sandbox never starts afresh over it, so no state is lost silently.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("loading sandbox state %s: %v", e.Path, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// errStateInUse is the Err of a StateError for a state file that another
// sandbox process holds.
var errStateInUse = errors.New("in use by another sandbox process")

// Hint returns the advice to print under the error.
func (e *StateError) Hint() string {
	if errors.Is(e.Err, errStateInUse) {
		return "stop the other `orgstrap sandbox serve` or --sandbox command using it, or pass another --state"
	}
	return fmt.Sprintf("run `orgstrap sandbox reset --state %s` or delete the file to start from an empty sandbox", e.Path)
}

// load reads the state file into s. It returns false when there is no
// state file or no StatePath.
func (s *Sandbox) load() (bool, error) {
	path := s.opts.StatePath
	if path == "" {
		return false, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, &StateError{Path: path, Err: err}
	}

	var file stateFile
	file.Organizations = s.org
	if err := json.Unmarshal(data, &file); err != nil {
		return false, &StateError{Path: path, Err: fmt.Errorf("invalid JSON: %w", err)}
	}
	if file.Version != stateFormatVersion {
		return false, &StateError{Path: path, Err: fmt.Errorf(
			"unsupported state format version %d: this orgstrap reads version %d", file.Version, stateFormatVersion)}
	}
	if file.Organizations == nil || file.Organizations.Management == nil || file.Admin.AccessKeyID == "" {
		return false, &StateError{Path: path, Err: errors.New("the file has no management account or administrator key")}
	}
	if s.org.Tags == nil {
		s.org.Tags = map[string][]tag{}
	}
	if err := s.identity.UnmarshalJSON(file.Identity); err != nil {
		return false, &StateError{Path: path, Err: fmt.Errorf("invalid IAM and STS state: %w", err)}
	}
	s.admin = file.Admin
	return true, nil
}

// save writes the whole state to StatePath atomically: to a temporary file
// in the same directory, synced, then renamed over the old file, so a crash
// leaves either the old state or the new one.
func (s *Sandbox) save() error {
	path := s.opts.StatePath
	if path == "" {
		return nil
	}
	identity, err := s.identity.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encoding IAM and STS state: %w", err)
	}
	data, err := json.MarshalIndent(stateFile{
		Version:       stateFormatVersion,
		Admin:         s.admin,
		Organizations: s.org,
		Identity:      identity,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("saving sandbox state: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename

	// The file holds the administrator's secret key, so only the owner
	// may read it; CreateTemp already creates it with mode 0600.
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}

	// Sync the directory so that the rename itself survives a crash.
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}
