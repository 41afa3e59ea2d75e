package fakeaws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// jsonAuthError maps an authentication failure to the error of an
// awsJson service.
func jsonAuthError(f *authFailure) *apiError {
	switch f.Kind {
	case authMissing:
		return &apiError{400, "MissingAuthenticationTokenException", "Request is missing Authentication Token"}
	case authMalformed:
		return &apiError{400, "IncompleteSignatureException", f.Message}
	case authUnknownKey:
		return &apiError{400, "UnrecognizedClientException", f.Message}
	case authExpired:
		return &apiError{400, "ExpiredTokenException", f.Message}
	default:
		return &apiError{400, "InvalidSignatureException", f.Message}
	}
}

// jsonRequest is an authenticated awsJson request.
type jsonRequest struct {
	sess    *session
	region  string
	service string
	op      string
	body    []byte
}

func (r *jsonRequest) decode(v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apiError{400, "ValidationException", fmt.Sprintf("%s: the request body does not fit the fake's model of the operation: %v", r.op, err)}
	}
	return nil
}

// authorize evaluates the caller's identity policies for action on
// resource; it returns AccessDeniedException when they do not allow it.
func (c *Cloud) authorize(r *jsonRequest, action, resource string) (reason string, e *apiError) {
	account, _, _ := parseRoleARN(r.sess.RoleARN)
	if a, err := parseARN(resource); err == nil && a.Account != account {
		return "", &apiError{400, "AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because the resource is in another account and resource-based policies are not emulated", r.sess.ARN(), action, resource)}
	}
	c.mu.Lock()
	role := c.roles[r.sess.RoleARN]
	var policies []*policy
	if role != nil {
		policies = role.policies
	}
	c.mu.Unlock()
	d, notes := evaluate(policies, evalRequest{
		Action:   action,
		Resource: resource,
		Context: map[string]string{
			"aws:principalarn":     r.sess.RoleARN,
			"aws:principalaccount": r.sess.Account,
			"aws:principaltype":    "AssumedRole",
			"aws:requestedregion":  r.region,
		},
	})
	switch d {
	case allowed:
		return "allowed by an identity-based policy of " + r.sess.RoleARN, nil
	case explicitDeny:
		return "", &apiError{400, "AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s with an explicit deny in an identity-based policy%s", r.sess.ARN(), action, resource, noteText(notes))}
	}
	return "", &apiError{400, "AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action%s", r.sess.ARN(), action, resource, action, noteText(notes))}
}

// serveJSON authenticates an awsJson1_1 request and dispatches it by its
// X-Amz-Target.
func (c *Cloud) serveJSON(w http.ResponseWriter, r *http.Request, body []byte, service string, si *sigInfo, fail *authFailure) {
	prefix := map[string]string{"ssm": "AmazonSSM.", "secretsmanager": "secretsmanager."}[service]
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), prefix)
	call := Call{Action: service + ":" + op}
	refuse := func(e *apiError) {
		call.Code, call.Reason = e.Code, e.Message
		c.record(call)
		writeJSONError(w, e)
	}
	switch {
	case fail != nil:
		refuse(jsonAuthError(fail))
		return
	case si == nil:
		refuse(jsonAuthError(&authFailure{Kind: authMissing}))
		return
	case !ok || op == "":
		call.Action = service + ":?"
		refuse(&apiError{400, "UnknownOperationException", fmt.Sprintf("X-Amz-Target %q is not an operation of %s", r.Header.Get("X-Amz-Target"), service)})
		return
	}
	sess, f := c.authenticate(r, body, si, 0)
	if f != nil {
		refuse(jsonAuthError(f))
		return
	}
	call.Principal, call.Role = sess.ARN(), sess.RoleARN
	req := &jsonRequest{sess: sess, region: si.Region, service: service, op: op, body: body}
	var handler func(*jsonRequest, *Call) (any, *apiError)
	if service == "ssm" {
		handler = c.ssmOps()[op]
	} else {
		handler = c.secretsManagerOps()[op]
	}
	if handler == nil {
		refuse(&apiError{400, "UnknownOperationException", fmt.Sprintf("%s.%s is not emulated by fakeaws", service, op)})
		return
	}
	resp, e := handler(req, &call)
	if e != nil {
		refuse(e)
		return
	}
	call.Allowed = true
	c.record(call)
	writeJSON(w, resp)
}
