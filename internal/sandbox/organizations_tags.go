package sandbox

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// Tag key and value limits of the Organizations model.
var (
	tagTextPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	targetPattern  = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
)

// checkTags validates the tags of one request: key 1 to 128 characters,
// value up to 256, the characters the model allows, no reserved "aws:"
// prefix and no key twice.
func checkTags(tags []tag) *api.Error {
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "":
			return invalidInput("INPUT_REQUIRED", "missing tag Key")
		case len([]rune(t.Key)) > 128:
			return invalidInput("MAX_LENGTH_EXCEEDED", "invalid tag key %q: at most 128 characters", t.Key)
		case len([]rune(t.Value)) > 256:
			return invalidInput("MAX_LENGTH_EXCEEDED", "invalid value of tag %q: at most 256 characters", t.Key)
		case !tagTextPattern.MatchString(t.Key) || !tagTextPattern.MatchString(t.Value):
			return invalidInput("INVALID_PATTERN",
				"invalid tag %q=%q: use letters, digits, spaces and _.:/=+-@", t.Key, t.Value)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", "invalid tag key %q: the aws: prefix is reserved", t.Key)
		case seen[t.Key]:
			return invalidInput("DUPLICATE_TAG_KEY", "tag key %q is given twice", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// findTarget validates a ResourceId member and returns the ARN of the root,
// OU or account it names.
func (o *organizations) findTarget(id string) (string, *api.Error) {
	if err := requireID("ResourceId", id, targetPattern); err != nil {
		return "", err
	}
	arn := o.targetARN(id)
	if arn == "" {
		return "", orgError("TargetNotFoundException", http.StatusNotFound,
			"resource %s not found: tags apply to the root, OUs and accounts of the organization", id)
	}
	return arn, nil
}

func tagResource(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct {
		ResourceId string
		Tags       []tag
	}](c.body)
	if err != nil {
		return nil, false, err
	}
	arn, err := o.findTarget(in.ResourceId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("TagResource", arn); err != nil {
		return nil, false, err
	}
	if len(in.Tags) == 0 {
		return nil, false, invalidInput("INPUT_REQUIRED", "missing Tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, false, err
	}
	if n := o.tagCountAfter(in.ResourceId, in.Tags); n > maxTagsPerTarget {
		return nil, false, constraintViolation("MAX_TAG_LIMIT_EXCEEDED",
			"resource %s would have %d tags: the maximum is %d", in.ResourceId, n, maxTagsPerTarget)
	}
	o.setTags(in.ResourceId, in.Tags)
	return nil, true, nil
}

func untagResource(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct {
		ResourceId string
		TagKeys    []string
	}](c.body)
	if err != nil {
		return nil, false, err
	}
	arn, err := o.findTarget(in.ResourceId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("UntagResource", arn); err != nil {
		return nil, false, err
	}
	if len(in.TagKeys) == 0 {
		return nil, false, invalidInput("INPUT_REQUIRED", "missing TagKeys")
	}
	tags := slices.DeleteFunc(o.Tags[in.ResourceId], func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	if len(tags) == 0 {
		delete(o.Tags, in.ResourceId)
	} else {
		o.Tags[in.ResourceId] = tags
	}
	return nil, true, nil
}

func listTagsForResource(o *organizations, c *orgCall) (any, bool, *api.Error) {
	in, err := decodeJSON[struct {
		ResourceId string
		NextToken  *string
	}](c.body)
	if err != nil {
		return nil, false, err
	}
	arn, err := o.findTarget(in.ResourceId)
	if err != nil {
		return nil, false, err
	}
	if err := c.authorize("ListTagsForResource", arn); err != nil {
		return nil, false, err
	}
	items, next, err := page(o.Tags[in.ResourceId], "ListTagsForResource", pageRequest{NextToken: in.NextToken})
	if err != nil {
		return nil, false, err
	}
	return listOutput("Tags", nonNil(items), next), false, nil
}
