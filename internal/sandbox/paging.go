package sandbox

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// maxPageSize is the largest MaxResults the Organizations model allows,
// and the page size when a request gives none.
const maxPageSize = 20

// pageRequest holds the paging members of an Organizations list request.
type pageRequest struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

// page returns one page of items and the token for the next one, nil on
// the last page. The token encodes the operation and the offset, so a token
// from another operation is rejected as AWS does.
func page[T any](items []T, operation string, req pageRequest) ([]T, *string, *api.Error) {
	size := maxPageSize
	if req.MaxResults != nil {
		size = *req.MaxResults
		if size < 1 {
			return nil, nil, invalidInput("MIN_VALUE_EXCEEDED", "invalid MaxResults %d: the minimum is 1", size)
		}
		if size > maxPageSize {
			return nil, nil, invalidInput("MAX_VALUE_EXCEEDED", "invalid MaxResults %d: the maximum is %d", size, maxPageSize)
		}
	}

	start := 0
	if req.NextToken != nil {
		var err error
		if start, err = parseNextToken(*req.NextToken, operation); err != nil || start > len(items) {
			return nil, nil, invalidInput("INVALID_NEXT_TOKEN",
				"invalid NextToken for %s: pass the token from the previous response unchanged", operation)
		}
	}

	end := min(start+size, len(items))
	var next *string
	if end < len(items) {
		token := base64.RawURLEncoding.EncodeToString([]byte(operation + ":" + strconv.Itoa(end)))
		next = &token
	}
	return items[start:end], next, nil
}

func parseNextToken(token, operation string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, err
	}
	op, offset, ok := strings.Cut(string(raw), ":")
	if !ok || op != operation {
		return 0, fmt.Errorf("token for %q, not %q", op, operation)
	}
	return strconv.Atoi(offset)
}

func invalidInput(reason, format string, args ...any) *api.Error {
	return &api.Error{Code: "InvalidInputException", Reason: reason, Message: fmt.Sprintf(format, args...)}
}
