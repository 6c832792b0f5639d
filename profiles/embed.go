// Package profiles embeds the built-in deployment profiles, one YAML file per
// framework, so the binary carries them.
package profiles

import "embed"

// FS contains the built-in profile files.
//
//go:embed *.yaml
var FS embed.FS
