package fakeaws

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// presignedCallerIdentityValidity is how long STS accepts a presigned
// GetCallerIdentity after its X-Amz-Date, whatever X-Amz-Expires says.
const presignedCallerIdentityValidity = 15 * time.Minute

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleResponse"`
	Result  struct {
		Credentials     stsCredentials  `xml:"Credentials"`
		AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
	} `xml:"AssumeRoleResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleWithWebIdentityResponse"`
	Result  struct {
		Credentials                 stsCredentials  `xml:"Credentials"`
		SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
		AssumedRoleUser             assumedRoleUser `xml:"AssumedRoleUser"`
		Provider                    string          `xml:"Provider"`
		Audience                    string          `xml:"Audience"`
	} `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// stsAuthError maps an authentication failure to STS's error.
func stsAuthError(f *authFailure) *apiError {
	switch f.Kind {
	case authMissing:
		return &apiError{403, "MissingAuthenticationToken", "Request is missing Authentication Token"}
	case authMalformed:
		return &apiError{403, "IncompleteSignature", f.Message}
	case authUnknownKey:
		return &apiError{403, "InvalidClientTokenId", f.Message}
	case authExpired:
		return &apiError{403, "ExpiredToken", f.Message}
	default:
		return &apiError{403, "SignatureDoesNotMatch", f.Message}
	}
}

func (c *Cloud) serveSTS(w http.ResponseWriter, r *http.Request, body []byte, si *sigInfo, fail *authFailure) {
	params, err := stsParams(r, body)
	action := params.Get("Action")
	refuse := func(call Call, e *apiError) {
		call.Action, call.Code = "sts:"+action, e.Code
		if call.Reason == "" {
			call.Reason = e.Message
		}
		c.record(call)
		writeQueryError(w, e)
	}
	switch {
	case err != nil:
		refuse(Call{}, &apiError{400, "MalformedQueryString", "the form body cannot be parsed: " + err.Error()})
		return
	case fail != nil:
		refuse(Call{}, stsAuthError(fail))
		return
	case params.Get("Version") != "2011-06-15":
		refuse(Call{}, &apiError{400, "InvalidAction", fmt.Sprintf("Version %q is not 2011-06-15", params.Get("Version"))})
		return
	}
	if action == "AssumeRoleWithWebIdentity" {
		resp, call, e := c.assumeRoleWithWebIdentity(params)
		if e != nil {
			refuse(call, e)
			return
		}
		c.record(call)
		writeXML(w, http.StatusOK, resp)
		return
	}
	if action != "AssumeRole" && action != "GetCallerIdentity" {
		refuse(Call{}, &apiError{400, "InvalidAction", fmt.Sprintf("Could not find operation %s for version 2011-06-15 (fakeaws emulates AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity)", action)})
		return
	}
	if si == nil {
		refuse(Call{}, stsAuthError(&authFailure{Kind: authMissing}))
		return
	}
	var validity time.Duration
	if si.Presigned && action == "GetCallerIdentity" {
		validity = presignedCallerIdentityValidity
	}
	sess, f := c.authenticate(r, body, si, validity)
	if f != nil {
		refuse(Call{}, stsAuthError(f))
		return
	}
	if action == "GetCallerIdentity" {
		var resp getCallerIdentityResponse
		resp.Result.Arn, resp.Result.Account = sess.ARN(), sess.Account
		resp.Result.UserID = Role{Account: sess.Account, Name: sess.RoleName}.ID() + ":" + sess.Name
		resp.RequestID = newVersionID()
		c.record(Call{Principal: sess.ARN(), Role: sess.RoleARN, Action: "sts:GetCallerIdentity", Allowed: true})
		writeXML(w, http.StatusOK, resp)
		return
	}
	resp, e := c.assumeRole(sess, params)
	call := Call{Principal: sess.ARN(), Role: sess.RoleARN, Resource: params.Get("RoleArn")}
	if e != nil {
		refuse(call, e)
		return
	}
	call.Action, call.Allowed = "sts:AssumeRole", true
	call.Reason = "session " + resp.Result.AssumedRoleUser.Arn
	c.record(call)
	writeXML(w, http.StatusOK, resp)
}

// sessionRequest is what AssumeRole and AssumeRoleWithWebIdentity share.
type sessionRequest struct {
	RoleARN, RoleAccount, RoleName, SessionName string
	Duration                                    time.Duration
}

func parseSessionRequest(params url.Values) (sessionRequest, *apiError) {
	var sr sessionRequest
	sr.RoleARN, sr.SessionName = params.Get("RoleArn"), params.Get("RoleSessionName")
	var err error
	if sr.RoleAccount, sr.RoleName, err = parseRoleARN(sr.RoleARN); err != nil {
		return sr, &apiError{400, "ValidationError", "RoleArn: " + err.Error()}
	}
	if !sessionNameRE.MatchString(sr.SessionName) {
		return sr, &apiError{400, "ValidationError", fmt.Sprintf("RoleSessionName %q must be 2 to 64 of [\\w+=,.@-]", sr.SessionName)}
	}
	sr.Duration = time.Hour
	if d := params.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 3600 {
			return sr, &apiError{400, "ValidationError", fmt.Sprintf("DurationSeconds %q must be between 900 and 3600 (the roles' MaxSessionDuration)", d)}
		}
		sr.Duration = time.Duration(n) * time.Second
	}
	for k := range params {
		if k == "Policy" || strings.HasPrefix(k, "PolicyArns.") || strings.HasPrefix(k, "Tags.") {
			return sr, &apiError{400, "ValidationError", "session policies and session tags are not emulated by fakeaws (" + k + ")"}
		}
	}
	return sr, nil
}

func credentialsXML(s *session) stsCredentials {
	return stsCredentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken, Expiration: s.Expires.UTC().Format(time.RFC3339)}
}

func roleUserXML(s *session) assumedRoleUser {
	return assumedRoleUser{Arn: s.ARN(), AssumedRoleID: Role{Account: s.Account, Name: s.RoleName}.ID() + ":" + s.Name}
}

// assumeRole answers AssumeRole for an authenticated session. The target
// role's trust policy must allow the caller; unless it names the caller's
// role or session itself in the same account, the caller's identity
// policies must allow sts:AssumeRole on the role too (as in IAM, always so
// across accounts). An explicit Deny in either wins.
func (c *Cloud) assumeRole(sess *session, params url.Values) (*assumeRoleResponse, *apiError) {
	sr, e := parseSessionRequest(params)
	if e != nil {
		return nil, e
	}
	denied := func(why string) *apiError {
		return &apiError{403, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s: %s", sess.ARN(), sr.RoleARN, why)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	target, self := c.roles[sr.RoleARN], c.roles[sess.RoleARN]
	if target == nil {
		return nil, denied("the role does not exist")
	}
	if self == nil {
		return nil, denied("the caller's role no longer exists")
	}
	ctx := map[string]string{
		"aws:principalarn":     sess.RoleARN,
		"aws:principalaccount": sess.Account,
		"aws:principaltype":    "AssumedRole",
		"sts:rolesessionname":  sr.SessionName,
	}
	if x := params.Get("ExternalId"); x != "" {
		ctx["sts:externalid"] = x
	}
	req := evalRequest{Action: "sts:AssumeRole", Caller: sess.caller(), Context: ctx}
	trust, notes := evaluate([]*policy{target.trust}, req)
	switch trust {
	case explicitDeny:
		return nil, denied("the role's trust policy explicitly denies it" + noteText(notes))
	case implicitDeny:
		return nil, denied("the role's trust policy does not allow this principal" + noteText(notes))
	}
	idReq := evalRequest{Action: "sts:AssumeRole", Resource: sr.RoleARN, Context: ctx}
	id, idNotes := evaluate(self.policies, idReq)
	if id == explicitDeny {
		return nil, denied("an identity-based policy of " + sess.RoleARN + " explicitly denies it" + noteText(idNotes))
	}
	if id != allowed && !(sr.RoleAccount == sess.Account && specificAllow(target.trust, req)) {
		return nil, denied("no identity-based policy of " + sess.RoleARN + " allows the sts:AssumeRole action on it (the trust policy names the account, or the role is in another account)" + noteText(idNotes))
	}
	ns := c.newSessionLocked(sr.RoleAccount, sr.RoleName, sr.SessionName, sr.Duration)
	var resp assumeRoleResponse
	resp.Result.Credentials = credentialsXML(ns)
	resp.Result.AssumedRoleUser = roleUserXML(ns)
	resp.RequestID = newVersionID()
	return &resp, nil
}

// specificAllow reports whether an Allow statement of p that names the
// caller's role or session itself applies to req.
func specificAllow(p *policy, req evalRequest) bool {
	for _, st := range p.Statements {
		if ok, _ := st.matches(req); ok && st.Allow && st.Principal.namesSpecifically(req.Caller) {
			return true
		}
	}
	return false
}

func noteText(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// assumeRoleWithWebIdentity answers AssumeRoleWithWebIdentity: the token
// must be signed by a key of its issuer, unexpired, from an issuer that is
// an OIDC provider of the role's account, for an audience that is one of
// the provider's client IDs; the role's trust policy must allow that
// provider with the token's sub and aud.
func (c *Cloud) assumeRoleWithWebIdentity(params url.Values) (*assumeRoleWithWebIdentityResponse, Call, *apiError) {
	call := Call{Action: "sts:AssumeRoleWithWebIdentity", Resource: params.Get("RoleArn")}
	sr, e := parseSessionRequest(params)
	if e != nil {
		return nil, call, e
	}
	invalid := func(format string, args ...any) *apiError {
		return &apiError{400, "InvalidIdentityToken", fmt.Sprintf(format, args...)}
	}
	tok, err := parseJWT(params.Get("WebIdentityToken"))
	if err != nil {
		return nil, call, invalid("%v", err)
	}
	cl := tok.Claims
	host := issuerHost(cl.Iss)
	call.Principal = host + "#" + cl.Sub
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	role := c.roles[sr.RoleARN]
	providerARN := OIDCProviderARN(sr.RoleAccount, cl.Iss)
	provider := c.providers[providerARN]
	keys := c.issuerKeys[host]
	switch {
	case !strings.HasPrefix(cl.Iss, "https://"):
		return nil, call, invalid("the token's issuer %q is not an https URL", cl.Iss)
	case provider == nil:
		return nil, call, invalid("No OpenIDConnect provider found in your account for %s (account %s has no provider %s)", cl.Iss, sr.RoleAccount, providerARN)
	case len(keys) == 0:
		return nil, call, invalid("Couldn't retrieve verification key from your identity provider %s (no keys were set for this issuer)", cl.Iss)
	}
	if err := tok.verify(keys); err != nil {
		return nil, call, invalid("the token of issuer %s is not valid: %v", cl.Iss, err)
	}
	switch {
	case cl.Exp == nil:
		return nil, call, invalid("the token has no exp claim")
	case !now.Before(cl.Exp.Time):
		return nil, call, &apiError{400, "ExpiredTokenException", fmt.Sprintf("Token expired: current date/time %s must be before the expiration date/time %s", now.UTC().Format(time.RFC3339), cl.Exp.UTC().Format(time.RFC3339))}
	case cl.Nbf != nil && now.Add(5*time.Minute).Before(cl.Nbf.Time):
		return nil, call, invalid("the token is not valid before %s", cl.Nbf.UTC().Format(time.RFC3339))
	case cl.Sub == "":
		return nil, call, invalid("the token has no sub claim")
	}
	aud := ""
	for _, a := range cl.Aud {
		for _, id := range provider.ClientIDs {
			if a == id && aud == "" {
				aud = a
			}
		}
	}
	if aud == "" {
		return nil, call, invalid("Incorrect token audience: %v is not among the client IDs %v of %s", []string(cl.Aud), provider.ClientIDs, providerARN)
	}
	denied := func(why string) *apiError {
		call.Reason = why
		return &apiError{403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
	}
	if role == nil {
		return nil, call, denied("role " + sr.RoleARN + " does not exist")
	}
	req := evalRequest{
		Action: "sts:AssumeRoleWithWebIdentity",
		Caller: &caller{Federated: providerARN},
		Context: map[string]string{
			strings.ToLower(host) + ":sub": cl.Sub,
			strings.ToLower(host) + ":aud": aud,
			"aws:federatedprovider":        providerARN,
		},
	}
	if d, notes := evaluate([]*policy{role.trust}, req); d != allowed {
		return nil, call, denied(fmt.Sprintf("the trust policy of %s does not allow %s with sub %q and aud %q%s", sr.RoleARN, providerARN, cl.Sub, aud, noteText(notes)))
	}
	s := c.newSessionLocked(sr.RoleAccount, sr.RoleName, sr.SessionName, sr.Duration)
	var resp assumeRoleWithWebIdentityResponse
	resp.Result.Credentials = credentialsXML(s)
	resp.Result.AssumedRoleUser = roleUserXML(s)
	resp.Result.SubjectFromWebIdentityToken = cl.Sub
	resp.Result.Provider = host
	resp.Result.Audience = aud
	resp.RequestID = newVersionID()
	call.Allowed, call.Reason = true, "session "+s.ARN()
	return &resp, call, nil
}
