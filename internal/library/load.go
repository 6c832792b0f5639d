package library

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orgstrap/orgstrap/internal/library/catalog"
	"github.com/orgstrap/orgstrap/profiles"
)

// Library is a validated set of profiles.
type Library struct {
	profiles map[string]*Profile
	catalog  *catalog.Catalog
}

// FileError is a problem at one place in a profile file.
type FileError struct {
	File  string
	Line  int    // 0 when unknown
	Field string // path such as "statements[2].actions[0]", "" for the whole file
	Msg   string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Load reads the embedded profiles and every *.yaml and *.yml file in
// extraDirs, and validates them all. The error joins one error per problem
// found, a *FileError for each problem inside a file. Profile names must be
// unique across all sources.
func Load(extraDirs ...string) (*Library, error) {
	l := &Library{profiles: map[string]*Profile{}, catalog: catalog.Default()}
	var errs []error

	embedded, err := fs.Glob(profiles.FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range embedded {
		data, err := fs.ReadFile(profiles.FS, name)
		if err != nil {
			return nil, err
		}
		errs = append(errs, l.add("profiles/"+name, data)...)
	}

	for _, dir := range extraDirs {
		files, err := profileFiles(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Errorf("read profile: %w", err))
				continue
			}
			errs = append(errs, l.add(file, data)...)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

func profileFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read profile directory: %w", err)
	}
	var files []string
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil
}

// add parses and validates one file and records its profile.
func (l *Library) add(file string, data []byte) []error {
	p, lines, err := parseProfile(file, data)
	if err != nil {
		return []error{err}
	}
	errs := validate(p, l.catalog)
	for _, e := range errs {
		e.Line = lines.lookup(e.Field)
	}
	if prev, ok := l.profiles[p.Name]; ok {
		errs = append(errs, &FileError{File: file, Line: lines.lookup("name"), Field: "name",
			Msg: fmt.Sprintf("profile %q is already defined in %s: choose another name", p.Name, prev.File)})
	}
	if len(errs) > 0 {
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = e
		}
		return out
	}
	l.profiles[p.Name] = p
	return nil
}

// Names returns the profile names in sorted order.
func (l *Library) Names() []string {
	names := make([]string, 0, len(l.profiles))
	for name := range l.profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Profile returns the named profile.
func (l *Library) Profile(name string) (*Profile, error) {
	p, ok := l.profiles[name]
	if !ok {
		return nil, fmt.Errorf("profile %q not found: choose one of %s", name, strings.Join(l.Names(), ", "))
	}
	return p, nil
}
