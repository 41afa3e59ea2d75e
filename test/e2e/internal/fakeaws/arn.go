package fakeaws

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	// roleNameRE is IAM's rule for role names.
	roleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// sessionNameRE is STS's rule for RoleSessionName.
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

func checkAccount(account string) error {
	if !accountRE.MatchString(account) {
		return fmt.Errorf("account %q is not 12 digits", account)
	}
	return nil
}

func checkRegion(region string) error {
	if !regionRE.MatchString(region) {
		return fmt.Errorf("region %q is not a region name like ap-northeast-1", region)
	}
	return nil
}

func checkAccountRegion(account, region string) error {
	if err := checkAccount(account); err != nil {
		return err
	}
	return checkRegion(region)
}

// arnParts is an ARN split into its six fields.
type arnParts struct {
	Partition, Service, Region, Account, Resource string
}

// parseARN splits an ARN; the resource part keeps its own colons.
func parseARN(s string) (arnParts, error) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" || f[2] == "" {
		return arnParts{}, fmt.Errorf("%q is not an ARN", s)
	}
	return arnParts{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, nil
}

// RoleARN returns the ARN of role name in account.
func RoleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// parseRoleARN returns the account and name of a role ARN (paths are not
// emulated: the name is the part after the last slash).
func parseRoleARN(s string) (account, name string, err error) {
	a, err := parseARN(s)
	if err != nil {
		return "", "", err
	}
	if a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") || checkAccount(a.Account) != nil {
		return "", "", fmt.Errorf("%q is not an IAM role ARN", s)
	}
	name = a.Resource[strings.LastIndex(a.Resource, "/")+1:]
	if !roleNameRE.MatchString(name) {
		return "", "", fmt.Errorf("%q: role name %q is not valid", s, name)
	}
	return a.Account, name, nil
}

// OIDCProviderARN returns the ARN IAM gives the OIDC provider of issuer
// URL issuerURL in account.
func OIDCProviderARN(account, issuerURL string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + issuerHost(issuerURL)
}

// issuerHost is an issuer URL without its scheme and trailing slash, as IAM
// writes it in provider ARNs and condition keys.
func issuerHost(issuerURL string) string {
	return strings.TrimSuffix(strings.TrimPrefix(issuerURL, "https://"), "/")
}

// ParameterARN returns the ARN of SSM parameter name.
func ParameterARN(account, region, name string) string {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	return "arn:aws:ssm:" + region + ":" + account + ":parameter" + name
}

// ClusterARN returns the ARN of EKS cluster name.
func ClusterARN(account, region, name string) string {
	return "arn:aws:eks:" + region + ":" + account + ":cluster/" + name
}

// sessionARN is the ARN STS gives a session of a role.
func sessionARN(account, roleName, sessionName string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName
}
