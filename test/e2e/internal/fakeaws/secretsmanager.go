package fakeaws

import (
	"fmt"
	"strings"
)

func (c *Cloud) secretsManagerOps() map[string]func(*jsonRequest, *Call) (any, *apiError) {
	return map[string]func(*jsonRequest, *Call) (any, *apiError){
		"GetSecretValue": c.smGetSecretValue,
		"DescribeSecret": c.smDescribeSecret,
	}
}

// smLookup authorizes action on the secret id (name, ARN or partial ARN)
// and returns a copy of it. A secret that does not exist is checked
// against the ARN it would have without a suffix, so that a caller who may
// not read it learns nothing about its existence.
func (c *Cloud) smLookup(r *jsonRequest, call *Call, action, id string) (*Secret, *apiError) {
	if id == "" {
		return nil, &apiError{400, "ValidationException", "SecretId is required"}
	}
	c.mu.Lock()
	s := c.findSecret(r.sess.Account, r.region, id)
	var sc Secret
	if s != nil {
		sc = *s
	}
	c.mu.Unlock()
	resource := id
	switch {
	case s != nil:
		resource = sc.ARN
	case !strings.HasPrefix(id, "arn:"):
		resource = "arn:aws:secretsmanager:" + r.region + ":" + r.sess.Account + ":secret:" + id
	}
	call.Resource = resource
	reason, e := c.authorize(r, action, resource)
	if e != nil {
		return nil, e
	}
	call.Reason = reason
	if s == nil {
		return nil, &apiError{400, "ResourceNotFoundException", fmt.Sprintf("Secrets Manager can't find the specified secret (%s in account %s, region %s).", id, r.sess.Account, r.region)}
	}
	return &sc, nil
}

func (c *Cloud) smGetSecretValue(r *jsonRequest, call *Call) (any, *apiError) {
	var in struct {
		SecretId     string
		VersionId    *string
		VersionStage *string
	}
	if e := r.decode(&in); e != nil {
		return nil, e
	}
	s, e := c.smLookup(r, call, "secretsmanager:GetSecretValue", in.SecretId)
	if e != nil {
		return nil, e
	}
	switch {
	case in.VersionStage != nil && *in.VersionStage != "AWSCURRENT":
		return nil, &apiError{400, "ResourceNotFoundException", fmt.Sprintf("Secrets Manager can't find the specified secret value for staging label: %s (only AWSCURRENT is emulated)", *in.VersionStage)}
	case s.VersionID == "":
		return nil, &apiError{400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT (the secret has no value)"}
	case in.VersionId != nil && *in.VersionId != s.VersionID:
		return nil, &apiError{400, "ResourceNotFoundException", fmt.Sprintf("Secrets Manager can't find the specified secret value for VersionId: %s", *in.VersionId)}
	}
	return map[string]any{
		"ARN":           s.ARN,
		"Name":          s.Name,
		"SecretString":  s.SecretString,
		"VersionId":     s.VersionID,
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   float64(s.Created.UnixMilli()) / 1000,
	}, nil
}

func (c *Cloud) smDescribeSecret(r *jsonRequest, call *Call) (any, *apiError) {
	var in struct{ SecretId string }
	if e := r.decode(&in); e != nil {
		return nil, e
	}
	s, e := c.smLookup(r, call, "secretsmanager:DescribeSecret", in.SecretId)
	if e != nil {
		return nil, e
	}
	out := map[string]any{
		"ARN":         s.ARN,
		"Name":        s.Name,
		"CreatedDate": float64(s.Created.UnixMilli()) / 1000,
		"Tags":        []any{},
	}
	if s.Description != "" {
		out["Description"] = s.Description
	}
	if s.VersionID != "" {
		out["VersionIdsToStages"] = map[string][]string{s.VersionID: {"AWSCURRENT"}}
	}
	return out, nil
}
