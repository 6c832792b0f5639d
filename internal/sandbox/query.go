package sandbox

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// queryService is a service that speaks the AWS Query protocol: a
// form-encoded POST with Action and Version, and an XML response.
type queryService struct {
	Name      string // signing name and call-count prefix: "iam" or "sts"
	Version   string // the API version clients send
	Namespace string // xmlns of responses and errors
}

var (
	iamService = queryService{Name: "iam", Version: "2010-05-08", Namespace: "https://iam.amazonaws.com/doc/2010-05-08/"}
	stsService = queryService{Name: "sts", Version: "2011-06-15", Namespace: "https://sts.amazonaws.com/doc/2011-06-15/"}
)

// parseQuery decodes a Query request body, or the URL's query string for a
// GET, and checks Action and Version.
func parseQuery(r *http.Request, body []byte, svc queryService) (string, url.Values, *api.Error) {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", nil, &api.Error{Code: "MalformedQueryString", Message: "invalid form-encoded request body: " + err.Error()}
		}
		for key, values := range form {
			params[key] = append(params[key], values...)
		}
	}

	action := params.Get("Action")
	if action == "" {
		return "", nil, &api.Error{Code: "MissingAction", Message: "the request has no Action parameter"}
	}
	if version := params.Get("Version"); version != svc.Version {
		return "", nil, api.Errorf("InvalidParameterValue",
			"invalid Version %q for %s: want %s", version, svc.Name, svc.Version)
	}
	params.Del("Action")
	params.Del("Version")
	return action, params, nil
}

// encodeXML encodes a Query response: <ActionResponse> with the result's
// fields inside <ActionResult>, or no Result element when result is nil,
// then the request id in <ResponseMetadata>. It runs under the sandbox
// mutex because result may share slices with the state.
func encodeXML(svc queryService, action, requestID string, result any) ([]byte, *api.Error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	response := xml.StartElement{
		Name: xml.Name{Local: action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: svc.Namespace}},
	}
	err := enc.EncodeToken(response)
	if err == nil && result != nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{RequestID: requestID},
			xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(response.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		return nil, &api.Error{Code: "ServiceFailure", Status: http.StatusInternalServerError,
			Message: "encoding the " + action + " response failed: " + err.Error()}
	}
	return buf.Bytes(), nil
}

// writeXML sends a successful Query response.
func writeXML(w http.ResponseWriter, requestID string, body []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type xmlErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Namespace string   `xml:"xmlns,attr"`
	Error     xmlError `xml:"Error"`
	RequestID string   `xml:"RequestId"`
}

type xmlError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// writeXMLError sends err as a Query ErrorResponse. Errors with a 5xx
// status are the service's fault (Type Receiver), the rest the caller's.
func writeXMLError(w http.ResponseWriter, svc queryService, requestID string, err *api.Error) {
	faultType := "Sender"
	if err.HTTPStatus() >= 500 {
		faultType = "Receiver"
	}
	body, _ := xml.Marshal(xmlErrorResponse{
		Namespace: svc.Namespace,
		Error:     xmlError{Type: faultType, Code: err.Code, Message: err.Message},
		RequestID: requestID,
	})
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(err.HTTPStatus())
	w.Write(body)
}
