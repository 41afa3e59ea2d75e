package cfn

import (
	"fmt"
	"strings"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// roleHandler: AWS::IAM::Role. Ref is the role name; Arn and RoleId.
type roleHandler struct{}

func (roleHandler) role(env resourceEnv, p props) (fakeaws.Role, error) {
	if err := p.only("AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path", "Policies", "RoleName", "Tags"); err != nil {
		return fakeaws.Role{}, err
	}
	r := fakeaws.Role{Account: env.stack.Account, Policies: map[string]string{}}
	var err error
	if r.Name, err = p.str("RoleName", false); err != nil {
		return r, err
	}
	if r.Name == "" {
		r.Name = generatedName(env, 64)
	}
	if path, _ := p.str("Path", false); path != "" && path != "/" {
		return r, fmt.Errorf("AWS::IAM::Role %s: role paths (%s) are not emulated", r.Name, path)
	}
	if r.TrustPolicy, err = p.document("AssumeRolePolicyDocument", true); err != nil {
		return r, err
	}
	if r.Description, err = p.str("Description", false); err != nil {
		return r, err
	}
	if r.ManagedPolicyARNs, err = p.strList("ManagedPolicyArns"); err != nil {
		return r, err
	}
	pols, _ := p.m["Policies"].([]any)
	for i, x := range pols {
		pp := props{typ: fmt.Sprintf("AWS::IAM::Role Policies[%d]", i), m: asMap(x)}
		name, err := pp.str("PolicyName", true)
		if err != nil {
			return r, err
		}
		if r.Policies[name], err = pp.document("PolicyDocument", true); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (h roleHandler) create(env resourceEnv, p props) (result, error) {
	r, err := h.role(env, p)
	if err != nil {
		return result{}, err
	}
	if _, exists := env.cloud.Role(r.Account, r.Name); exists {
		return result{}, fmt.Errorf("Resource of type 'AWS::IAM::Role' with identifier '%s' already exists", r.Name)
	}
	return h.put(env, r)
}

func (h roleHandler) put(env resourceEnv, r fakeaws.Role) (result, error) {
	arn, err := env.cloud.PutRole(r)
	if err != nil {
		return result{}, err
	}
	return result{PhysicalID: r.Name, Attrs: map[string]string{"Arn": arn, "RoleId": r.ID()}}, nil
}

func (h roleHandler) update(env resourceEnv, old *resourceState, p props) (result, bool, error) {
	r, err := h.role(env, p)
	if err != nil {
		return result{}, false, err
	}
	if r.Name != old.PhysicalID {
		res, err := h.create(env, p)
		return res, true, err
	}
	res, err := h.put(env, r)
	return res, false, err
}

func (roleHandler) delete(env resourceEnv, old *resourceState) error {
	if _, ok := env.cloud.Role(env.stack.Account, old.PhysicalID); !ok {
		return nil
	}
	return env.cloud.DeleteRole(env.stack.Account, old.PhysicalID)
}

// oidcProviderHandler: AWS::IAM::OIDCProvider. Ref is the ARN.
type oidcProviderHandler struct{}

func (oidcProviderHandler) provider(env resourceEnv, p props) (fakeaws.OIDCProvider, error) {
	if err := p.only("ClientIdList", "Tags", "ThumbprintList", "Url"); err != nil {
		return fakeaws.OIDCProvider{}, err
	}
	pr := fakeaws.OIDCProvider{Account: env.stack.Account}
	var err error
	if pr.URL, err = p.str("Url", true); err != nil {
		return pr, err
	}
	pr.ClientIDs, err = p.strList("ClientIdList")
	return pr, err
}

func (h oidcProviderHandler) create(env resourceEnv, p props) (result, error) {
	pr, err := h.provider(env, p)
	if err != nil {
		return result{}, err
	}
	if _, exists := env.cloud.OIDCProvider(pr.ARN()); exists {
		return result{}, fmt.Errorf("AWS::IAM::OIDCProvider: EntityAlreadyExists: provider %s already exists", pr.ARN())
	}
	return h.put(env, pr)
}

func (oidcProviderHandler) put(env resourceEnv, pr fakeaws.OIDCProvider) (result, error) {
	arn, err := env.cloud.PutOIDCProvider(pr)
	if err != nil {
		return result{}, err
	}
	return result{PhysicalID: arn, Attrs: map[string]string{"Arn": arn}}, nil
}

func (h oidcProviderHandler) update(env resourceEnv, old *resourceState, p props) (result, bool, error) {
	pr, err := h.provider(env, p)
	if err != nil {
		return result{}, false, err
	}
	if pr.ARN() != old.PhysicalID {
		res, err := h.create(env, p)
		return res, true, err
	}
	res, err := h.put(env, pr)
	return res, false, err
}

func (oidcProviderHandler) delete(env resourceEnv, old *resourceState) error {
	if _, ok := env.cloud.OIDCProvider(old.PhysicalID); !ok {
		return nil
	}
	return env.cloud.DeleteOIDCProvider(old.PhysicalID)
}

// roleOf returns the account and name of an IAM role ARN, or false.
func roleOf(arn string) (account, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", false
	}
	account, res, ok := strings.Cut(rest, ":role/")
	if !ok {
		return "", "", false
	}
	return account, res[strings.LastIndex(res, "/")+1:], true
}
