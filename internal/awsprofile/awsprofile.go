// Package awsprofile writes AWS CLI profiles for the deployment roles into
// the shared config file (~/.aws/config or AWS_CONFIG_FILE). It rewrites
// only the sections it wrote itself, which it marks with a comment line,
// and leaves every other byte of the file as it was. It never writes
// credentials: the profiles assume a role from another profile or from the
// environment.
package awsprofile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Marker is the comment line written above every section orgstrap owns.
const Marker = "# managed by orgstrap"

// Profile is one [profile NAME] section.
type Profile struct {
	Name    string
	RoleARN string
	// SourceProfile names the profile whose credentials assume the role.
	SourceProfile string
	// CredentialSource is used when SourceProfile is empty, such as
	// "Environment" for credentials in AWS_ACCESS_KEY_ID.
	CredentialSource string
	Region           string
	RoleSessionName  string
}

// ConfigPath returns the AWS CLI config file: AWS_CONFIG_FILE, or
// ~/.aws/config.
func ConfigPath() (string, error) {
	if path := os.Getenv("AWS_CONFIG_FILE"); path != "" {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the AWS config file: %w", err)
	}
	return filepath.Join(home, ".aws", "config"), nil
}

// Write updates the file at path so that it holds profiles: orgstrap's
// sections with those names are rewritten in place, new ones are appended,
// and orgstrap's sections whose names start with prefix+"-" but are no
// longer wanted are removed. It returns whether the file changed.
func Write(path, prefix string, profiles []Profile) (bool, error) {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	updated, err := Update(string(data), prefix, profiles)
	if err != nil {
		return false, fmt.Errorf("updating %s: %w", path, err)
	}
	if updated == string(data) {
		return false, nil
	}
	if err := writeAtomic(path, []byte(updated)); err != nil {
		return false, err
	}
	return true, nil
}

// Update returns text with orgstrap's sections replaced by profiles, as
// Write describes. A section of the same name that orgstrap did not write
// is an error, because overwriting it would lose the user's settings.
func Update(text, prefix string, profiles []Profile) (string, error) {
	chunks := split(text)
	wanted := map[string]Profile{}
	for _, p := range profiles {
		wanted[p.Name] = p
	}
	for _, c := range chunks {
		if _, ok := wanted[c.name]; ok && !c.managed {
			return "", fmt.Errorf("profile %q already exists and was not written by orgstrap: rename or remove it, or set aws_profiles.prefix", c.name)
		}
	}

	var b strings.Builder
	written := map[string]bool{}
	removed := false
	for _, c := range chunks {
		if !c.managed {
			text := c.text
			if removed {
				// Take the blank line that separated the removed section.
				text = strings.TrimPrefix(text, "\n")
			}
			b.WriteString(text)
			removed = false
			continue
		}
		removed = false
		p, ok := wanted[c.name]
		switch {
		case ok && !written[c.name]:
			b.WriteString(render(p))
			written[c.name] = true
		case ok, strings.HasPrefix(c.name, prefix+"-"):
			// A duplicate or an environment no longer configured.
			removed = true
		default:
			b.WriteString(c.text)
		}
	}
	for _, p := range profiles {
		if written[p.Name] {
			continue
		}
		out := b.String()
		if out != "" && !strings.HasSuffix(out, "\n") {
			b.WriteString("\n")
		}
		if out != "" && !strings.HasSuffix(out, "\n\n") {
			b.WriteString("\n")
		}
		b.WriteString(render(p))
		written[p.Name] = true
	}
	return b.String(), nil
}

// chunk is a run of lines: either a section orgstrap wrote (marker,
// header and its key lines) or anything else, kept byte for byte.
type chunk struct {
	text    string
	name    string // profile name of a section header in the chunk
	managed bool
}

func split(text string) []chunk {
	lines := strings.SplitAfter(text, "\n")
	var chunks []chunk
	var raw strings.Builder
	flush := func() {
		if raw.Len() > 0 {
			chunks = append(chunks, chunk{text: raw.String()})
			raw.Reset()
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if name, ok := header(line); ok {
			// Record unmanaged sections too, to detect name clashes.
			flush()
			chunks = append(chunks, chunk{text: line, name: name})
			continue
		}
		if strings.TrimSpace(line) != Marker || i+1 >= len(lines) {
			raw.WriteString(line)
			continue
		}
		name, ok := header(lines[i+1])
		if !ok {
			raw.WriteString(line)
			continue
		}
		flush()
		block := line + lines[i+1]
		i += 2
		for ; i < len(lines) && isKeyLine(lines[i]); i++ {
			block += lines[i]
		}
		i--
		chunks = append(chunks, chunk{text: block, name: name, managed: true})
	}
	flush()
	return chunks
}

// header returns the profile name of a "[profile NAME]" or "[NAME]" line.
func header(line string) (string, bool) {
	s := strings.TrimSpace(line)
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return "", false
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	if rest, ok := strings.CutPrefix(s, "profile "); ok {
		return strings.TrimSpace(rest), true
	}
	return s, true
}

func isKeyLine(line string) bool {
	s := strings.TrimSpace(line)
	return s != "" && !strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "#") && !strings.HasPrefix(s, ";")
}

func render(p Profile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n[profile %s]\n", Marker, p.Name)
	fmt.Fprintf(&b, "role_arn = %s\n", p.RoleARN)
	if p.SourceProfile != "" {
		fmt.Fprintf(&b, "source_profile = %s\n", p.SourceProfile)
	} else if p.CredentialSource != "" {
		fmt.Fprintf(&b, "credential_source = %s\n", p.CredentialSource)
	}
	if p.Region != "" {
		fmt.Fprintf(&b, "region = %s\n", p.Region)
	}
	if p.RoleSessionName != "" {
		fmt.Fprintf(&b, "role_session_name = %s\n", p.RoleSessionName)
	}
	return b.String()
}

// writeAtomic replaces path through a temporary file in its directory. A
// new file gets mode 0600, as the AWS CLI creates it.
func writeAtomic(path string, data []byte) error {
	mode := fs.FileMode(0o600)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// Diff compares the sections of text with profiles and returns the names
// Update would create, rewrite and remove.
func Diff(text, prefix string, profiles []Profile) (create, update, remove []string) {
	current := map[string]string{}
	for _, c := range split(text) {
		if c.managed {
			current[c.name] = c.text
		}
	}
	wanted := map[string]bool{}
	for _, p := range profiles {
		wanted[p.Name] = true
		text, ok := current[p.Name]
		switch {
		case !ok:
			create = append(create, p.Name)
		case text != render(p):
			update = append(update, p.Name)
		}
	}
	for _, c := range split(text) {
		if c.managed && !wanted[c.name] && strings.HasPrefix(c.name, prefix+"-") {
			remove = append(remove, c.name)
		}
	}
	return create, update, remove
}

// Read returns the content of the AWS CLI config file at path, or "" when
// it does not exist.
func Read(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return string(data), nil
}
