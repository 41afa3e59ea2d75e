package cfn

import (
	"fmt"

	"github.com/platformc/platformc/test/e2e/internal/fakeaws"
)

// parameterHandler: AWS::SSM::Parameter (String). Ref is the name; Type
// and Value.
type parameterHandler struct{}

func (parameterHandler) read(env resourceEnv, p props) (name, value string, err error) {
	if err := p.only("AllowedPattern", "DataType", "Description", "Name", "Policies", "Tags", "Tier", "Type", "Value"); err != nil {
		return "", "", err
	}
	if typ, _ := p.str("Type", false); typ != "String" && typ != "" {
		return "", "", fmt.Errorf("AWS::SSM::Parameter: Type %q is not emulated (String only)", typ)
	}
	if name, err = p.str("Name", false); err != nil {
		return "", "", err
	}
	if name == "" {
		name = "CFN-" + generatedName(env, 2048-4)
	}
	value, err = p.str("Value", true)
	return name, value, err
}

func (h parameterHandler) create(env resourceEnv, p props) (result, error) {
	name, value, err := h.read(env, p)
	if err != nil {
		return result{}, err
	}
	if _, exists := env.cloud.Parameter(env.stack.Account, env.stack.Region, name); exists {
		return result{}, fmt.Errorf("AWS::SSM::Parameter: parameter %s already exists", name)
	}
	return h.put(env, name, value)
}

func (parameterHandler) put(env resourceEnv, name, value string) (result, error) {
	if err := env.cloud.PutParameter(env.stack.Account, env.stack.Region, name, value); err != nil {
		return result{}, err
	}
	return result{PhysicalID: name, Attrs: map[string]string{"Type": "String", "Value": value}}, nil
}

func (h parameterHandler) update(env resourceEnv, old *resourceState, p props) (result, bool, error) {
	name, value, err := h.read(env, p)
	if err != nil {
		return result{}, false, err
	}
	if name != old.PhysicalID {
		res, err := h.create(env, p)
		return res, true, err
	}
	res, err := h.put(env, name, value)
	return res, false, err
}

func (parameterHandler) delete(env resourceEnv, old *resourceState) error {
	if _, ok := env.cloud.Parameter(env.stack.Account, env.stack.Region, old.PhysicalID); !ok {
		return nil
	}
	return env.cloud.DeleteParameter(env.stack.Account, env.stack.Region, old.PhysicalID)
}

// secretHandler: AWS::SecretsManager::Secret. Ref is the ARN; Id too. A
// new secret's value is SecretString, else "{}"; an update never changes
// the value (the harness puts values with the cloud's methods).
type secretHandler struct{}

func (secretHandler) read(env resourceEnv, p props) (name, description string, err error) {
	if err := p.only("Description", "GenerateSecretString", "KmsKeyId", "Name", "ReplicaRegions", "SecretString", "Tags"); err != nil {
		return "", "", err
	}
	if name, err = p.str("Name", false); err != nil {
		return "", "", err
	}
	if name == "" {
		name = generatedName(env, 512)
	}
	description, err = p.str("Description", false)
	return name, description, err
}

func (h secretHandler) create(env resourceEnv, p props) (result, error) {
	name, description, err := h.read(env, p)
	if err != nil {
		return result{}, err
	}
	value, err := p.str("SecretString", false)
	if err != nil {
		return result{}, err
	}
	if value == "" {
		value = "{}"
	}
	arn, err := env.cloud.CreateSecret(env.stack.Account, env.stack.Region, name, description, value)
	if err != nil {
		return result{}, fmt.Errorf("AWS::SecretsManager::Secret: %w", err)
	}
	return result{PhysicalID: arn, Attrs: map[string]string{"Id": arn}}, nil
}

func (h secretHandler) update(env resourceEnv, old *resourceState, p props) (result, bool, error) {
	name, description, err := h.read(env, p)
	if err != nil {
		return result{}, false, err
	}
	if fakeaws.SecretARN(env.stack.Account, env.stack.Region, name) != old.PhysicalID {
		res, err := h.create(env, p)
		return res, true, err
	}
	if err := env.cloud.UpdateSecretDescription(env.stack.Account, env.stack.Region, old.PhysicalID, description); err != nil {
		return result{}, false, err
	}
	return result{PhysicalID: old.PhysicalID, Attrs: old.Attrs}, false, nil
}

func (secretHandler) delete(env resourceEnv, old *resourceState) error {
	if _, ok := env.cloud.Secret(env.stack.Account, env.stack.Region, old.PhysicalID); !ok {
		return nil
	}
	return env.cloud.DeleteSecret(env.stack.Account, env.stack.Region, old.PhysicalID)
}
