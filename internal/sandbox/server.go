package sandbox

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orgstrap/orgstrap/internal/sandbox/api"
)

// maxBodyBytes bounds a request body; the largest IAM request, a policy
// document of 10,240 characters URL-encoded, is far below it.
const maxBodyBytes = 1 << 20

// unsignedSTSActions are the STS calls AWS accepts without a signature,
// because the token in the request is the credential.
var unsignedSTSActions = map[string]bool{
	"AssumeRoleWithWebIdentity": true,
	"AssumeRoleWithSAML":        true,
}

// exchange is one request and the sandbox's response, for the log.
type exchange struct {
	id      string
	service string
	action  string
	caller  *api.Caller
	status  int
	errCode string
}

// Handler returns the HTTP handler that serves Organizations, IAM and STS
// on one endpoint. It identifies the service by X-Amz-Target and by the
// service name in the SigV4 credential scope.
func (s *Sandbox) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Sandbox) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ex := &exchange{id: newRequestID()}
	defer func() { s.logExchange(r, ex, time.Since(start)) }()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		ex.service = "unknown"
		s.fail(w, ex, &api.Error{Code: "InvalidRequest", Message: "reading the request body failed: " + err.Error()})
		return
	}

	var auth *authHeader
	var authErr *api.Error
	if value := r.Header.Get("Authorization"); value != "" {
		auth, authErr = parseAuthHeader(value)
	}

	// Organizations is the one JSON service; a request signed for it
	// with a wrong or missing target gets UnknownOperationException.
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, organizationsTargetPrefix) || auth != nil && auth.Service == "organizations":
		ex.service = "organizations"
		ex.action = strings.TrimPrefix(target, organizationsTargetPrefix)
		s.serveOrganizations(w, r, body, auth, authErr, ex)
	default:
		svc := identifyQueryService(r, body, auth)
		ex.service = svc.Name
		s.serveQuery(w, r, body, svc, auth, authErr, ex)
	}
}

// identifyQueryService picks IAM or STS from the credential scope, or for
// an unsigned request from its Version parameter.
func identifyQueryService(r *http.Request, body []byte, auth *authHeader) queryService {
	if auth != nil && auth.Service == iamService.Name {
		return iamService
	}
	if auth == nil {
		form, _ := url.ParseQuery(string(body))
		if form.Get("Version") == iamService.Version || r.URL.Query().Get("Version") == iamService.Version {
			return iamService
		}
	}
	return stsService
}

func (s *Sandbox) serveOrganizations(w http.ResponseWriter, r *http.Request, body []byte,
	auth *authHeader, authErr *api.Error, ex *exchange) {
	response, err := s.handleOrganizations(r, body, auth, authErr, ex)
	if err != nil {
		s.fail(w, ex, jsonErrorCode(err))
		return
	}
	ex.status = http.StatusOK
	writeJSON(w, ex.id, response)
}

// handleOrganizations runs one Organizations request under the mutex and
// returns the encoded response, which the caller sends after the mutex is
// released.
func (s *Sandbox) handleOrganizations(r *http.Request, body []byte, auth *authHeader, authErr *api.Error,
	ex *exchange) ([]byte, *api.Error) {
	op, known := orgOperations[ex.action]

	s.mu.Lock()
	defer s.mu.Unlock()
	mutated := s.advance()

	caller, err := s.authenticate(r, body, auth, authErr, "organizations")
	if err == nil {
		ex.caller = caller
		s.calls["organizations:"+ex.action]++
		err = s.throttled("TooManyRequestsException", http.StatusTooManyRequests)
	}
	if err == nil && !known {
		err = &api.Error{Code: "UnknownOperationException", Message: fmt.Sprintf(
			"unknown or unsupported operation %q: the sandbox implements a subset of Organizations", ex.action)}
	}
	if err == nil && ex.action != "CreateOrganization" {
		err = s.org.checkCaller(op, caller)
	}

	var out any
	if err == nil {
		var changed bool
		out, changed, err = op.run(s.org, &orgCall{caller: caller, now: s.now(), body: body, sb: s})
		mutated = mutated || changed
	}
	if saveErr := s.saveIf(mutated); saveErr != nil && err == nil {
		err = saveErr
	}
	if err != nil {
		return nil, err
	}
	return encodeJSON(out)
}

func (s *Sandbox) serveQuery(w http.ResponseWriter, r *http.Request, body []byte, svc queryService,
	auth *authHeader, authErr *api.Error, ex *exchange) {
	action, params, parseErr := parseQuery(r, body, svc)
	ex.action = action

	response, err := s.handleQuery(r, body, svc, action, params, parseErr, auth, authErr, ex)
	if err != nil {
		s.failXML(w, svc, ex, err)
		return
	}
	ex.status = http.StatusOK
	writeXML(w, ex.id, response)
}

// handleQuery runs one IAM or STS request under the mutex and returns the
// encoded response. A request that failed to parse is still authenticated
// first, as AWS does.
func (s *Sandbox) handleQuery(r *http.Request, body []byte, svc queryService, action string, params url.Values,
	parseErr *api.Error, auth *authHeader, authErr *api.Error, ex *exchange) ([]byte, *api.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mutated := s.advance()

	var caller *api.Caller
	var err *api.Error
	if auth != nil || authErr != nil || !(svc == stsService && unsignedSTSActions[action]) {
		caller, err = s.authenticate(r, body, auth, authErr, svc.Name)
	}
	if err == nil {
		err = parseErr
	}
	if err == nil {
		ex.caller = caller
		s.calls[svc.Name+":"+action]++
		err = s.throttled("Throttling", http.StatusBadRequest)
	}

	var result any
	if err == nil {
		var changed bool
		if svc == iamService {
			result, changed, err = s.identity.HandleIAM(caller, action, params)
		} else {
			result, changed, err = s.identity.HandleSTS(caller, action, params)
		}
		mutated = mutated || changed
	}
	if saveErr := s.saveIf(mutated); saveErr != nil && err == nil {
		err = saveErr
	}
	if err != nil {
		return nil, err
	}
	return encodeXML(svc, action, ex.id, result)
}

// authenticate resolves the caller from the access key and verifies the
// signature. It returns the Query protocol's error codes; the JSON side
// renames them.
func (s *Sandbox) authenticate(r *http.Request, body []byte, auth *authHeader, authErr *api.Error,
	service string) (*api.Caller, *api.Error) {
	if authErr != nil {
		return nil, authErr
	}
	if auth == nil {
		return nil, &api.Error{Code: "MissingAuthenticationToken", Status: http.StatusForbidden,
			Message: "the request is not signed: sign it with SigV4 and the sandbox's credentials"}
	}
	if auth.Service != service {
		return nil, errSignatureMismatch("credential scope service %q does not match the %s endpoint",
			auth.Service, service)
	}

	secret, caller, err := s.identity.Credentials(auth.AccessKeyID, r.Header.Get("X-Amz-Security-Token"))
	if err != nil {
		return nil, err
	}
	if err := verifySignature(r, body, auth, secret, time.Now()); err != nil {
		return nil, err
	}
	return caller, nil
}

// throttled draws from the seeded generator and returns the service's
// throttling error for the configured fraction of requests.
func (s *Sandbox) throttled(code string, status int) *api.Error {
	if s.opts.ThrottleRate <= 0 || s.throttle.Float64() >= s.opts.ThrottleRate {
		return nil
	}
	return &api.Error{Code: code, Status: status, Message: "Rate exceeded"}
}

// advance applies the CreateAccount requests that have finished; it runs
// at the start of every request so that no goroutine is needed.
func (s *Sandbox) advance() bool {
	if s.org.Organization == nil {
		return false
	}
	return s.org.advance(s.now(), s.identity, s.logger)
}

// saveIf saves the state after a change. A failed save is the service's
// fault: the caller sees an internal error and the log has the cause.
func (s *Sandbox) saveIf(mutated bool) *api.Error {
	if !mutated {
		return nil
	}
	if err := s.save(); err != nil {
		s.logger.Error("saving the sandbox state failed", "path", s.opts.StatePath, "error", err)
		return &api.Error{Code: "ServiceFailure", Status: http.StatusInternalServerError,
			Message: "the change was made but saving the sandbox state failed; see the sandbox log"}
	}
	return nil
}

func (s *Sandbox) fail(w http.ResponseWriter, ex *exchange, err *api.Error) {
	ex.status, ex.errCode = err.HTTPStatus(), err.Code
	writeJSONError(w, ex.id, err)
}

func (s *Sandbox) failXML(w http.ResponseWriter, svc queryService, ex *exchange, err *api.Error) {
	ex.status, ex.errCode = err.HTTPStatus(), err.Code
	writeXMLError(w, svc, ex.id, err)
}

// logExchange writes one record per request. It logs the caller's ARN but
// never an access key, secret or session token.
func (s *Sandbox) logExchange(r *http.Request, ex *exchange, took time.Duration) {
	attrs := []any{
		"service", ex.service, "action", ex.action, "status", ex.status,
		"duration", took.Round(time.Microsecond), "request_id", ex.id, "remote", r.RemoteAddr,
	}
	if ex.caller != nil {
		attrs = append(attrs, "caller", ex.caller.ARN)
	}
	level := slog.LevelInfo
	if ex.errCode != "" {
		attrs = append(attrs, "error", ex.errCode)
		if ex.status >= 500 {
			level = slog.LevelError
		}
	}
	s.logger.Log(r.Context(), level, "request", attrs...)
}

// newRequestID returns a random id in the UUID layout AWS uses.
func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
