package fakeaws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// policy is a parsed IAM policy document (identity or trust policy).
type policy struct {
	Statements []statement
}

type statement struct {
	Sid          string
	Allow        bool // Effect: Allow (true) or Deny (false)
	Principal    *principal
	NotPrincipal bool // present: not emulated, the statement fails closed
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	Conditions   []condition
}

// principal is a statement's Principal; Any is "*" or {"AWS": "*"}.
type principal struct {
	Any                     bool
	AWS, Federated, Service []string
}

type condition struct {
	Operator string
	Key      string
	Values   []string
}

// parsePolicy parses an IAM policy document, as IAM does when a role or
// policy is put: a document IAM would refuse as malformed is an error.
func parsePolicy(doc string) (*policy, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("malformed policy document: %v", err)
	}
	var stmts []any
	switch s := raw["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	default:
		return nil, fmt.Errorf("malformed policy document: Statement is missing or not an object or list")
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("malformed policy document: no statements")
	}
	p := &policy{}
	for i, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("malformed policy document: statement %d is not an object", i)
		}
		st, err := parseStatement(m)
		if err != nil {
			return nil, fmt.Errorf("malformed policy document: statement %d: %v", i, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(m map[string]any) (statement, error) {
	var st statement
	st.Sid, _ = m["Sid"].(string)
	switch m["Effect"] {
	case "Allow":
		st.Allow = true
	case "Deny":
	default:
		return st, fmt.Errorf("Effect must be Allow or Deny, not %v", m["Effect"])
	}
	var err error
	if st.Actions, err = stringList(m, "Action"); err != nil {
		return st, err
	}
	if st.NotActions, err = stringList(m, "NotAction"); err != nil {
		return st, err
	}
	if (len(st.Actions) == 0) == (len(st.NotActions) == 0) {
		return st, fmt.Errorf("exactly one of Action and NotAction is required")
	}
	if st.Resources, err = stringList(m, "Resource"); err != nil {
		return st, err
	}
	if st.NotResources, err = stringList(m, "NotResource"); err != nil {
		return st, err
	}
	if p, ok := m["Principal"]; ok {
		if st.Principal, err = parsePrincipal(p); err != nil {
			return st, err
		}
	}
	_, st.NotPrincipal = m["NotPrincipal"]
	if c, ok := m["Condition"]; ok {
		if st.Conditions, err = parseConditions(c); err != nil {
			return st, err
		}
	}
	return st, nil
}

func parsePrincipal(v any) (*principal, error) {
	if v == "*" {
		return &principal{Any: true}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf(`Principal must be "*" or an object`)
	}
	p := &principal{}
	for k := range m {
		list, err := stringList(m, k)
		if err != nil {
			return nil, err
		}
		switch k {
		case "AWS":
			p.AWS = list
			for _, a := range list {
				if a == "*" {
					p.Any = true
				}
			}
		case "Federated":
			p.Federated = list
		case "Service":
			p.Service = list
		default:
			return nil, fmt.Errorf("principal type %q is not emulated", k)
		}
	}
	return p, nil
}

func parseConditions(v any) ([]condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Condition must be an object")
	}
	var out []condition
	for op, kv := range m {
		keys, ok := kv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Condition %s must be an object", op)
		}
		for k := range keys {
			vals, err := stringList(keys, k)
			if err != nil {
				return nil, fmt.Errorf("Condition %s: %v", op, err)
			}
			out = append(out, condition{Operator: op, Key: k, Values: vals})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operator != out[j].Operator {
			return out[i].Operator < out[j].Operator
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// stringList reads m[key] as a string or a list of strings (numbers and
// booleans are kept as their JSON text, as IAM compares them as strings).
func stringList(m map[string]any, key string) ([]string, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	one := func(x any) (string, error) {
		switch t := x.(type) {
		case string:
			return t, nil
		case json.Number:
			return t.String(), nil
		case bool:
			return fmt.Sprint(t), nil
		}
		return "", fmt.Errorf("%s: %v is not a string", key, x)
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, err := one(x)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := one(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// decision is the outcome of evaluating policies for one request.
type decision int

const (
	implicitDeny decision = iota
	allowed
	explicitDeny
)

// evalRequest is what a statement is matched against.
type evalRequest struct {
	Action   string
	Resource string // "" for trust policies, which have no Resource
	Caller   *caller
	Context  map[string]string // condition keys, lower-cased
}

// caller is who asks, as principals in trust policies see it.
type caller struct {
	Account    string
	RoleARN    string // the role of an assumed-role session
	SessionARN string
	Federated  string // the OIDC provider ARN of a web identity
}

// evaluate applies the policies: an explicit Deny wins, then an Allow,
// else the request is implicitly denied. notes explains statements that
// were set aside because they use something not emulated.
func evaluate(policies []*policy, req evalRequest) (d decision, notes []string) {
	for _, p := range policies {
		for _, st := range p.Statements {
			match, note := st.matches(req)
			if note != "" {
				notes = append(notes, note)
			}
			if !match {
				continue
			}
			if !st.Allow {
				return explicitDeny, notes
			}
			d = allowed
		}
	}
	return d, notes
}

// matches reports whether st applies to req. Something not emulated (an
// unknown condition operator, NotPrincipal) fails closed: an Allow does not
// apply and a Deny does; note says so.
func (st statement) matches(req evalRequest) (bool, string) {
	if st.NotPrincipal {
		return !st.Allow, fmt.Sprintf("statement %q uses NotPrincipal, which is not emulated", st.Sid)
	}
	if len(st.Actions) > 0 && !anyMatch(st.Actions, req.Action, true) {
		return false, ""
	}
	if len(st.NotActions) > 0 && anyMatch(st.NotActions, req.Action, true) {
		return false, ""
	}
	if req.Resource != "" {
		if len(st.Resources) == 0 && len(st.NotResources) == 0 {
			return false, ""
		}
		if len(st.Resources) > 0 && !anyMatch(st.Resources, req.Resource, false) {
			return false, ""
		}
		if len(st.NotResources) > 0 && anyMatch(st.NotResources, req.Resource, false) {
			return false, ""
		}
	}
	if req.Caller != nil && !st.Principal.matches(req.Caller) {
		return false, ""
	}
	for _, c := range st.Conditions {
		ok, supported := c.eval(req.Context)
		if !supported {
			return !st.Allow, fmt.Sprintf("statement %q: condition operator %s is not emulated, so the statement fails closed", st.Sid, c.Operator)
		}
		if !ok {
			return false, ""
		}
	}
	return true, ""
}

// matches reports whether the statement's principal names c. A missing
// principal (identity policies) never matches a trust-policy caller.
func (p *principal) matches(c *caller) bool {
	if p == nil {
		return false
	}
	if c.Federated != "" {
		for _, f := range p.Federated {
			if f == c.Federated {
				return true
			}
		}
		return false
	}
	if p.Any {
		return true
	}
	for _, a := range p.AWS {
		switch {
		case a == c.Account, a == "arn:aws:iam::"+c.Account+":root":
			return true
		case a == c.RoleARN, a == c.SessionARN:
			return true
		}
	}
	return false
}

// namesSpecifically reports whether p names the caller's role or session
// itself (not its account): then, in the same account, the trust policy
// alone lets it assume the role.
func (p *principal) namesSpecifically(c *caller) bool {
	if p == nil {
		return false
	}
	for _, a := range p.AWS {
		if a == c.RoleARN || a == c.SessionARN {
			return true
		}
	}
	return false
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if wildcardMatch(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against pattern, where * matches any run of
// characters and ? any one character.
func wildcardMatch(pattern, s string) bool {
	p, i := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(i) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == i[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
