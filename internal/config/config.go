// Package config reads and validates orgstrap.yaml, the file that states the
// organization orgstrap should build: its environments, the deployment
// roles installed in each, who may assume them, and the AWS CLI profiles
// written for them.
package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Version is the only config schema version this build understands.
const Version = 1

// Defaults applied when the file leaves a field out.
const (
	DefaultRoleName      = "orgstrap-deploy"
	DefaultProfilePrefix = "orgstrap"
	DefaultFeatureSet    = "ALL"
	// DefaultMaxSessionDuration is IAM's own default for a role.
	DefaultMaxSessionDuration = time.Hour
)

// Access is the level of permissions a deployment role gets.
type Access string

// The access levels an environment can ask for.
const (
	AccessBroad      Access = "broad"
	AccessRestricted Access = "restricted"
)

// Config is the parsed content of orgstrap.yaml.
type Config struct {
	Version      int           `yaml:"version"`
	Organization Organization  `yaml:"organization"`
	Environments []Environment `yaml:"environments"`
	Deployment   Deployment    `yaml:"deployment"`
	Trust        Trust         `yaml:"trust"`
	AWSProfiles  AWSProfiles   `yaml:"aws_profiles"`

	// Path is the file the config was read from.
	Path string `yaml:"-"`
}

// Organization holds whether orgstrap may create the organization when
// the caller's account is not in one yet, and with which feature set.
type Organization struct {
	// Create allows creating the organization; apply still requests
	// confirmation unless --yes is given.
	Create     bool   `yaml:"create"`
	FeatureSet string `yaml:"feature_set"`
}

// Environment is one member account and the deployment role inside it.
type Environment struct {
	Name        string `yaml:"name"`
	AccountName string `yaml:"account_name"`
	Email       string `yaml:"email"`
	// OU is the path of organizational units below the root, such as
	// "Workloads/Dev"; empty means the root.
	OU     string `yaml:"ou"`
	Access Access `yaml:"access"`
	// AccountID adopts an existing member account instead of creating one.
	AccountID string `yaml:"account_id"`
	// Stage is the deployment stage name used in resource names; it
	// defaults to Name.
	Stage string `yaml:"stage"`
}

// OUPath returns the environment's OU path split into names, or nil for
// the root.
func (e Environment) OUPath() []string {
	if e.OU == "" {
		return nil
	}
	return strings.Split(e.OU, "/")
}

// Deployment describes the deployment role installed in every environment.
type Deployment struct {
	Profiles []string `yaml:"profiles"`
	Services []string `yaml:"services"`
	Regions  []string `yaml:"regions"`
	RoleName string   `yaml:"role_name"`
	// ServiceRole switches to CloudFormation service-role mode: the deploy
	// role passes an execution role to CloudFormation instead of holding
	// the resource permissions itself.
	ServiceRole bool `yaml:"service_role"`
	// Library lists directories of extra profile files, relative to the
	// config file's directory unless absolute.
	Library []string `yaml:"library"`
	// Variables override profile variable defaults, such as the CDK
	// bootstrap qualifier.
	Variables map[string]string `yaml:"variables"`
}

// LibraryDirs returns the Library directories resolved against the
// directory of the config file at path.
func (d Deployment) LibraryDirs(path string) []string {
	dirs := make([]string, 0, len(d.Library))
	for _, dir := range d.Library {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(filepath.Dir(path), dir)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// Trust lists the principals allowed to assume the deployment roles.
type Trust struct {
	// Caller trusts the identity running orgstrap; nil means true.
	Caller   *bool    `yaml:"caller"`
	RoleARNs []string `yaml:"role_arns"`
	GitHub   *GitHub  `yaml:"github"`
	// ExternalID, when set, is required from AWS principals (sts:ExternalId).
	ExternalID string `yaml:"external_id"`
	// MaxSessionDuration is a Go duration such as "1h" or "90m", from 1h
	// to 12h as IAM allows.
	MaxSessionDuration string `yaml:"max_session_duration"`

	// SessionDuration is MaxSessionDuration parsed, or the default.
	SessionDuration time.Duration `yaml:"-"`
}

// TrustsCaller reports whether the identity running orgstrap is trusted.
func (t Trust) TrustsCaller() bool { return t.Caller == nil || *t.Caller }

// GitHub configures trust for GitHub Actions through OIDC.
type GitHub struct {
	Repository   string   `yaml:"repository"`
	Branches     []string `yaml:"branches"`
	Environments []string `yaml:"environments"`
}

// AWSProfiles controls the [profile PREFIX-ENV] sections written to the
// AWS CLI config file after apply.
type AWSProfiles struct {
	// Write enables writing profiles; nil means true.
	Write  *bool  `yaml:"write"`
	Prefix string `yaml:"prefix"`
}

// Enabled reports whether profiles are written.
func (p AWSProfiles) Enabled() bool { return p.Write == nil || *p.Write }

// Environment returns the environment called name, or false.
func (c *Config) Environment(name string) (Environment, bool) {
	for _, env := range c.Environments {
		if env.Name == name {
			return env, true
		}
	}
	return Environment{}, false
}

// applyDefaults fills the fields the file may leave out.
func (c *Config) applyDefaults() {
	if c.Organization.FeatureSet == "" {
		c.Organization.FeatureSet = DefaultFeatureSet
	}
	if c.Deployment.RoleName == "" {
		c.Deployment.RoleName = DefaultRoleName
	}
	if c.AWSProfiles.Prefix == "" {
		c.AWSProfiles.Prefix = DefaultProfilePrefix
	}
	for i := range c.Environments {
		env := &c.Environments[i]
		if env.Stage == "" {
			env.Stage = env.Name
		}
		if env.AccountName == "" {
			env.AccountName = env.Name
		}
	}
	if c.Trust.SessionDuration == 0 {
		c.Trust.SessionDuration = DefaultMaxSessionDuration
	}
}
