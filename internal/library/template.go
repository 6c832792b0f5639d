package library

import (
	"fmt"
	"regexp"
	"strings"
)

// Built-in template variables. IAM's own policy variables, such as
// ${aws:username}, contain a colon and pass through unchanged.
var builtinVariables = map[string]string{
	"partition":        "the AWS partition: aws, aws-cn or aws-us-gov",
	"region":           "each target region in turn",
	"account":          "the target account id",
	"service":          "each application (service) name in turn",
	"stage":            "the stage, such as prod",
	"boundaryArn":      "the ARN of the permissions boundary policy",
	"executionRoleArn": "the ARN of the CloudFormation execution role (service-role mode)",
}

var variablePattern = regexp.MustCompile(`\$\{([A-Za-z][A-Za-z0-9]*)\}`)

// templateVariables returns the names of the template variables in s.
func templateVariables(s string) []string {
	var names []string
	for _, m := range variablePattern.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// checkTemplate reports the first variable in s that is neither built in nor
// declared by the profile.
func checkTemplate(s string, declared map[string]bool) error {
	for _, name := range templateVariables(s) {
		if _, ok := builtinVariables[name]; !ok && !declared[name] {
			return fmt.Errorf("unknown variable ${%s}: use one of the built-in variables (%s) or declare it under variables",
				name, strings.Join(sortedKeys(builtinVariables), ", "))
		}
	}
	return nil
}

// expand fills in every template variable from vars. Validation has already
// rejected unknown names, so a missing one here is left as it was.
func expand(s string, vars map[string]string) string {
	return variablePattern.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}
