package fakeaws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

const (
	webhookPrefix  = "/eks/authenticate/"
	eksTokenPrefix = "k8s-aws-v1."
	clusterIDHdr   = "x-k8s-aws-id"
)

// regionalSTSHost matches sts.<region>.amazonaws.com.
var regionalSTSHost = regexp.MustCompile(`^sts\.[a-z]{2}(-[a-z]+)+-[0-9]\.amazonaws\.com$`)

// tokenQueryParams are the only query parameters aws-iam-authenticator
// accepts in the presigned URL of a token.
var tokenQueryParams = map[string]bool{
	"action": true, "version": true, "x-amz-algorithm": true, "x-amz-credential": true,
	"x-amz-date": true, "x-amz-expires": true, "x-amz-security-token": true,
	"x-amz-signature": true, "x-amz-signedheaders": true,
}

// WebhookPath returns the path at which Handler serves the token webhook
// of EKS cluster name in account and region.
func WebhookPath(account, region, cluster string) string {
	return webhookPrefix + account + "/" + region + "/" + cluster
}

// WebhookConfig returns the file kube-apiserver's
// --authentication-token-webhook-config-file reads (a kubeconfig, written
// as JSON) for the webhook of a cluster, served at serverURL (the fake's
// https://host:port) with a certificate of the CA caPEM. Pass
// --authentication-token-webhook-version=v1 too.
func WebhookConfig(serverURL string, caPEM []byte, account, region, cluster string) ([]byte, error) {
	type named struct {
		Name    string         `json:"name"`
		Cluster map[string]any `json:"cluster,omitempty"`
		User    map[string]any `json:"user,omitempty"`
		Context map[string]any `json:"context,omitempty"`
	}
	cfg := map[string]any{
		"apiVersion": "v1",
		"kind":       "Config",
		"clusters": []named{{Name: "fakeaws", Cluster: map[string]any{
			"server":                     strings.TrimSuffix(serverURL, "/") + WebhookPath(account, region, cluster),
			"certificate-authority-data": base64.StdEncoding.EncodeToString(caPEM),
		}}},
		"users":           []named{{Name: "kube-apiserver", User: map[string]any{}}},
		"contexts":        []named{{Name: "webhook", Context: map[string]any{"cluster": "fakeaws", "user": "kube-apiserver"}}},
		"current-context": "webhook",
	}
	return json.MarshalIndent(cfg, "", "  ")
}

type tokenReview struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Token     string   `json:"token"`
		Audiences []string `json:"audiences,omitempty"`
	} `json:"spec"`
}

type reviewUser struct {
	Username string              `json:"username"`
	UID      string              `json:"uid"`
	Groups   []string            `json:"groups"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

type tokenReviewStatus struct {
	Authenticated bool        `json:"authenticated"`
	User          *reviewUser `json:"user,omitempty"`
	Error         string      `json:"error,omitempty"`
}

// serveWebhook answers a TokenReview for the cluster named by the path.
func (c *Cloud) serveWebhook(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, webhookPrefix), "/")
	if len(parts) != 3 || checkAccountRegion(parts[0], parts[1]) != nil || parts[2] == "" {
		http.Error(w, "fakeaws: webhook path must be "+WebhookPath("<account>", "<region>", "<cluster>"), http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "fakeaws: the webhook takes a POSTed TokenReview", http.StatusMethodNotAllowed)
		return
	}
	var review tokenReview
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&review); err != nil {
		http.Error(w, "fakeaws: the body is not a TokenReview: "+err.Error(), http.StatusBadRequest)
		return
	}
	account, region, cluster := parts[0], parts[1], parts[2]
	user, call := c.reviewToken(r.Host, account, region, cluster, review.Spec.Token)
	call.Action, call.Resource = "eks:AuthenticateToken", ClusterARN(account, region, cluster)
	c.record(call)
	status := tokenReviewStatus{Authenticated: user != nil, User: user}
	if user == nil {
		status.Error = call.Reason
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"apiVersion": "authentication.k8s.io/v1",
		"kind":       "TokenReview",
		"status":     status,
	})
}

// reviewToken does what aws-iam-authenticator does in EKS: decode the
// token into a presigned STS GetCallerIdentity URL, check its shape and
// host, verify it as STS would with x-k8s-aws-id set to this cluster's
// name, and map the caller's role to the cluster's access entry.
func (c *Cloud) reviewToken(webhookHost, account, region, cluster, token string) (*reviewUser, Call) {
	refuse := func(format string, args ...any) (*reviewUser, Call) {
		return nil, Call{Code: "Unauthenticated", Reason: fmt.Sprintf(format, args...)}
	}
	enc, ok := strings.CutPrefix(token, eksTokenPrefix)
	if !ok {
		return refuse("the token is not an EKS token (no %s prefix)", eksTokenPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return refuse("the token is not base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return refuse("the token is not a URL: %v", err)
	}
	if u.Scheme != "https" || !c.isSTSHost(u.Host, webhookHost) {
		return refuse("the token's URL %s://%s is not an STS endpoint", u.Scheme, u.Host)
	}
	if u.Path != "/" && u.Path != "" {
		return refuse("the token's URL path %q is not /", u.Path)
	}
	q := u.Query()
	for k, v := range q {
		if !tokenQueryParams[strings.ToLower(k)] || len(v) != 1 {
			return refuse("the token's URL has a parameter %q that is not allowed or repeated", k)
		}
	}
	if q.Get("Action") != "GetCallerIdentity" {
		return refuse("the token's URL is for Action %q, not GetCallerIdentity", q.Get("Action"))
	}
	hasClusterID := false
	for _, h := range strings.Split(q.Get("X-Amz-SignedHeaders"), ";") {
		hasClusterID = hasClusterID || strings.EqualFold(h, clusterIDHdr)
	}
	if !hasClusterID {
		return refuse("the token's signed headers %q do not include %s", q.Get("X-Amz-SignedHeaders"), clusterIDHdr)
	}
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return refuse("the token's URL cannot be requested: %v", err)
	}
	req.Header.Set(clusterIDHdr, cluster)
	si, f := parseSig(req)
	if f == nil && si == nil {
		return refuse("the token's URL is not presigned")
	}
	if f == nil && si.Service != "sts" {
		return refuse("the token is signed for service %q, not sts", si.Service)
	}
	var sess *session
	if f == nil {
		sess, f = c.authenticate(req, nil, si, presignedCallerIdentityValidity)
	}
	if f != nil {
		msg := f.Message
		if f.Kind == authBadSignature {
			msg += fmt.Sprintf(" (verified with %s: %s; a token minted for another cluster fails so)", clusterIDHdr, cluster)
		}
		return refuse("STS refuses the token: %s", msg)
	}
	call := Call{Principal: sess.ARN(), Role: sess.RoleARN}
	c.mu.Lock()
	defer c.mu.Unlock()
	clusterARN := ClusterARN(account, region, cluster)
	if c.clusters[clusterARN] == nil {
		call.Code, call.Reason = "Unauthenticated", "cluster "+clusterARN+" does not exist"
		return nil, call
	}
	e := c.entries[clusterARN+" "+sess.RoleARN]
	if e == nil {
		call.Code, call.Reason = "Unauthenticated", "cluster "+cluster+" has no access entry for "+sess.RoleARN
		return nil, call
	}
	user := &reviewUser{
		UID: "aws-iam-authenticator:" + sess.Account + ":" + Role{Account: sess.Account, Name: sess.RoleName}.ID(),
		Extra: map[string][]string{
			"arn":          {sess.ARN()},
			"canonicalArn": {sess.RoleARN},
			"sessionName":  {sess.Name},
			"accessKeyId":  {sess.AccessKeyID},
			"principalId":  {Role{Account: sess.Account, Name: sess.RoleName}.ID()},
		},
	}
	switch e.Type {
	case "EC2_LINUX", "EC2_WINDOWS":
		user.Username = "system:node:" + sess.Name
		user.Groups = []string{"system:bootstrappers", "system:nodes"}
	default:
		user.Username = sess.ARN()
		if e.Username != "" {
			user.Username = strings.ReplaceAll(e.Username, "{{SessionName}}", sess.Name)
		}
		user.Groups = clone(e.KubernetesGroups)
		for _, p := range e.AccessPolicies {
			if p.PolicyARN == ClusterAdminPolicyARN && p.ScopeType == "cluster" {
				user.Groups = append(user.Groups, "system:masters")
				break
			}
		}
	}
	if user.Groups == nil {
		user.Groups = []string{}
	}
	call.Allowed = true
	call.Reason = fmt.Sprintf("user %s, groups %v", user.Username, user.Groups)
	return user, call
}

// isSTSHost reports whether a token may name host as its STS endpoint.
func (c *Cloud) isSTSHost(host, webhookHost string) bool {
	if host == "sts.amazonaws.com" || regionalSTSHost.MatchString(host) || host == webhookHost {
		return true
	}
	for _, h := range c.stsHosts {
		if host == h {
			return true
		}
	}
	return false
}
