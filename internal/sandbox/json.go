package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// The AWS JSON 1.1 protocol as Organizations speaks it: a POST whose
// X-Amz-Target header is "AWSOrganizationsV20161128.Operation", with a JSON
// object in and out.
const (
	organizationsTargetPrefix = "AWSOrganizationsV20161128."
	jsonContentType           = "application/x-amz-json-1.1"
)

// epochTime is a timestamp in the JSON protocol's default format: seconds
// since the Unix epoch as a number, with milliseconds as the fraction.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}

// decodeJSON decodes a request body into a new T. An empty body is the
// empty object, as the SDK sends for operations without input members.
func decodeJSON[T any](body []byte) (*T, *api.Error) {
	in := new(T)
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return nil, &api.Error{Code: "SerializationException", Message: "invalid JSON request body: " + err.Error()}
	}
	return in, nil
}

// encodeJSON encodes a successful JSON 1.1 response body; a nil out is
// "{}". It runs under the sandbox mutex because out may share slices with
// the state.
func encodeJSON(out any) ([]byte, *api.Error) {
	if out == nil {
		return []byte("{}"), nil
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, &api.Error{Code: "ServiceException", Status: http.StatusInternalServerError,
			Message: "encoding the response failed: " + err.Error()}
	}
	return body, nil
}

// writeJSON sends a successful JSON 1.1 response.
func writeJSON(w http.ResponseWriter, requestID string, body []byte) {
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// writeJSONError sends err as a JSON 1.1 error: the code in "__type" and in
// the X-Amzn-ErrorType header, the text in "Message" (the member name the
// Organizations model gives its exceptions) and Reason when it has one.
func writeJSONError(w http.ResponseWriter, requestID string, err *api.Error) {
	payload := map[string]string{"__type": err.Code, "Message": err.Message}
	if err.Reason != "" {
		payload["Reason"] = err.Reason
	}
	body, _ := json.Marshal(payload)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.Header().Set("X-Amzn-ErrorType", err.Code)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(err.HTTPStatus())
	w.Write(body)
}

// jsonErrorCode translates an authentication, authorization or internal
// error from the Query protocol's codes to the ones AWS's JSON services send.
// Organizations returns UnrecognizedClientException for an unknown access
// key and InvalidSignatureException for a bad signature, where IAM and STS
// send InvalidClientTokenId and SignatureDoesNotMatch. A clock skew is an
// InvalidSignatureException too.
func jsonErrorCode(err *api.Error) *api.Error {
	names := map[string]string{
		"AccessDenied":               "AccessDeniedException",
		"InvalidClientTokenId":       "UnrecognizedClientException",
		"SignatureDoesNotMatch":      "InvalidSignatureException",
		"IncompleteSignature":        "IncompleteSignatureException",
		"MissingAuthenticationToken": "MissingAuthenticationTokenException",
		"ExpiredToken":               "ExpiredTokenException",
		"RequestExpired":             "InvalidSignatureException",
		"ServiceFailure":             "ServiceException",
	}
	code, ok := names[err.Code]
	if !ok {
		return err
	}
	return &api.Error{Code: code, Message: err.Message, Status: err.Status}
}
