package fakeaws

import (
	"fmt"
	"strconv"
	"strings"
)

type ssmParameterJSON struct {
	ARN              string  `json:"ARN"`
	DataType         string  `json:"DataType"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	Name             string  `json:"Name"`
	Selector         string  `json:"Selector,omitempty"`
	Type             string  `json:"Type"`
	Value            string  `json:"Value"`
	Version          int64   `json:"Version"`
}

func (c *Cloud) ssmOps() map[string]func(*jsonRequest, *Call) (any, *apiError) {
	return map[string]func(*jsonRequest, *Call) (any, *apiError){
		"GetParameter":        c.ssmGetParameter,
		"GetParameters":       c.ssmGetParameters,
		"ListTagsForResource": c.ssmListTagsForResource,
	}
}

// ssmName splits a GetParameter name (a name or ARN, with an optional
// :version selector) into the parameter's ARN, name and selector.
func ssmName(r *jsonRequest, name string) (arn, base, selector string, e *apiError) {
	account, region := r.sess.Account, r.region
	if strings.HasPrefix(name, "arn:") {
		a, err := parseARN(name)
		if err != nil || a.Service != "ssm" || !strings.HasPrefix(a.Resource, "parameter") {
			return "", "", "", &apiError{400, "ValidationException", fmt.Sprintf("%q is not a parameter ARN", name)}
		}
		account, region, name = a.Account, a.Region, strings.TrimPrefix(a.Resource, "parameter")
	}
	base, sel, hasSel := strings.Cut(name, ":")
	if hasSel {
		selector = ":" + sel
	}
	if err := checkParamName(base); err != nil {
		return "", "", "", &apiError{400, "ValidationException", err.Error()}
	}
	return ParameterARN(account, region, base), base, selector, nil
}

// ssmLookup authorizes action on the named parameter and returns it.
func (c *Cloud) ssmLookup(r *jsonRequest, call *Call, action, name string) (*ssmParameterJSON, *apiError) {
	arn, base, selector, e := ssmName(r, name)
	if e != nil {
		return nil, e
	}
	call.Resource = arn
	reason, e := c.authorize(r, action, arn)
	if e != nil {
		return nil, e
	}
	call.Reason = reason
	c.mu.Lock()
	p := c.params[arn]
	var out ssmParameterJSON
	if p != nil {
		out = ssmParameterJSON{ARN: arn, DataType: "text", Name: base, Type: "String", Value: p.Value, Version: p.Version, Selector: selector,
			LastModifiedDate: float64(p.LastModified.UnixMilli()) / 1000}
	}
	c.mu.Unlock()
	if p == nil {
		return nil, &apiError{400, "ParameterNotFound", fmt.Sprintf("parameter %s does not exist in account %s, region %s", base, r.sess.Account, r.region)}
	}
	if selector != "" {
		v, err := strconv.ParseInt(selector[1:], 10, 64)
		if err != nil {
			return nil, &apiError{400, "ParameterVersionLabelNotFound", fmt.Sprintf("labels are not emulated (%s)", selector)}
		}
		if v != out.Version {
			return nil, &apiError{400, "ParameterVersionNotFound", fmt.Sprintf("parameter %s has no version %d (only the current version %d is kept)", base, v, out.Version)}
		}
	}
	return &out, nil
}

func (c *Cloud) ssmGetParameter(r *jsonRequest, call *Call) (any, *apiError) {
	var in struct {
		Name           string
		WithDecryption *bool
	}
	if e := r.decode(&in); e != nil {
		return nil, e
	}
	p, e := c.ssmLookup(r, call, "ssm:GetParameter", in.Name)
	if e != nil {
		return nil, e
	}
	return map[string]any{"Parameter": p}, nil
}

// ssmGetParameters answers GetParameters: every name must be allowed, else
// the whole call is refused; names that do not exist are listed as
// invalid.
func (c *Cloud) ssmGetParameters(r *jsonRequest, call *Call) (any, *apiError) {
	var in struct {
		Names          []string
		WithDecryption *bool
	}
	if e := r.decode(&in); e != nil {
		return nil, e
	}
	params, invalid := []*ssmParameterJSON{}, []string{}
	var resources []string
	for _, n := range in.Names {
		p, e := c.ssmLookup(r, call, "ssm:GetParameters", n)
		resources = append(resources, call.Resource)
		switch {
		case e == nil:
			params = append(params, p)
		case e.Code == "ParameterNotFound" || e.Code == "ParameterVersionNotFound":
			invalid = append(invalid, n)
		default:
			return nil, e
		}
	}
	call.Resource = strings.Join(resources, ",")
	return map[string]any{"Parameters": params, "InvalidParameters": invalid}, nil
}

// ssmListTagsForResource answers for parameters, which have no tags here.
func (c *Cloud) ssmListTagsForResource(r *jsonRequest, call *Call) (any, *apiError) {
	var in struct {
		ResourceType string
		ResourceId   string
	}
	if e := r.decode(&in); e != nil {
		return nil, e
	}
	if in.ResourceType != "Parameter" {
		return nil, &apiError{400, "InvalidResourceType", fmt.Sprintf("resource type %q is not emulated", in.ResourceType)}
	}
	if _, e := c.ssmLookup(r, call, "ssm:ListTagsForResource", in.ResourceId); e != nil {
		if e.Code == "ParameterNotFound" {
			e.Code = "InvalidResourceId"
		}
		return nil, e
	}
	return map[string]any{"TagList": []any{}}, nil
}
