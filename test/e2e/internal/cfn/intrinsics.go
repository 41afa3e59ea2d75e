package cfn

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue evaluates to: the property or list
// element that holds it is dropped.
type noValue struct{}

// evaluator resolves intrinsic functions within one stack deployment.
type evaluator struct {
	stack      *Stack
	stackID    string
	params     map[string]any // resolved parameters: string or []any
	tmpl       *template
	conditions map[string]bool
	resolving  map[string]bool // conditions being resolved, against cycles
	resources  map[string]*resourceState
	// attr returns attribute name of a deployed resource.
	attr func(r *resourceState, name string) (string, error)
	// importValue returns the value of an export of the stack's account
	// and region.
	importValue func(name string) (string, error)
}

// eval resolves every intrinsic function in v.
func (e *evaluator) eval(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, el := range x {
			r, err := e.eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return e.fn(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			r, err := e.eval(x[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

func (e *evaluator) fn(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref takes a name, not %v", arg)
		}
		return e.ref(s)
	case "Fn::GetAtt":
		var id, attr string
		switch a := arg.(type) {
		case string:
			id, attr, _ = strings.Cut(a, ".")
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		}
		if id == "" || attr == "" {
			return nil, fmt.Errorf("Fn::GetAtt takes [resource, attribute], not %v", arg)
		}
		return e.getAtt(id, attr)
	case "Fn::Join":
		a, err := e.args(name, arg, 2)
		if err != nil {
			return nil, err
		}
		delim, ok := a[0].(string)
		list, ok2 := a[1].([]any)
		if !ok || !ok2 {
			return nil, fmt.Errorf("Fn::Join takes [delimiter, list], not %v", a)
		}
		parts, err := strs(name, list)
		if err != nil {
			return nil, err
		}
		return strings.Join(parts, delim), nil
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::Select":
		a, err := e.args(name, arg, 2)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(fmt.Sprint(a[0]))
		list, ok := a[1].([]any)
		if err != nil || !ok {
			return nil, fmt.Errorf("Fn::Select takes [index, list], not %v", a)
		}
		if i < 0 || i >= len(list) {
			return nil, fmt.Errorf("Fn::Select index %d is out of the list %v", i, list)
		}
		return list[i], nil
	case "Fn::Split":
		a, err := e.args(name, arg, 2)
		if err != nil {
			return nil, err
		}
		delim, ok := a[0].(string)
		s, ok2 := a[1].(string)
		if !ok || !ok2 || delim == "" {
			return nil, fmt.Errorf("Fn::Split takes [delimiter, string], not %v", a)
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::ImportValue":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::ImportValue takes an export name, not %v", v)
		}
		return e.importValue(s)
	case "Fn::GetAZs":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		region, _ := v.(string)
		if region == "" {
			region = e.stack.Region
		}
		var out []any
		for _, az := range availabilityZones(region) {
			out = append(out, az)
		}
		return out, nil
	case "Fn::Base64":
		v, err := e.eval(arg)
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Base64 takes a string, not %v", v)
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::FindInMap":
		a, err := e.args(name, arg, 3)
		if err != nil {
			return nil, err
		}
		k, err := strs(name, a)
		if err != nil {
			return nil, err
		}
		v, ok := asMap(asMap(e.tmpl.Mappings[k[0]])[k[1]])[k[2]]
		if !ok {
			return nil, fmt.Errorf("Fn::FindInMap: mapping %s has no %s/%s", k[0], k[1], k[2])
		}
		return e.eval(v)
	case "Fn::If":
		l, ok := arg.([]any)
		if !ok || len(l) != 3 {
			return nil, fmt.Errorf("Fn::If takes [condition, then, else], not %v", arg)
		}
		c, _ := l[0].(string)
		b, err := e.condition(c)
		if err != nil {
			return nil, err
		}
		if b {
			return e.eval(l[1])
		}
		return e.eval(l[2])
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return e.condFn(name, arg)
	}
	return nil, fmt.Errorf("intrinsic function %s is not emulated", name)
}

// args evaluates the list argument of fn, which must have n elements.
func (e *evaluator) args(fn string, arg any, n int) ([]any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != n {
		return nil, fmt.Errorf("%s takes a list of %d, not %v", fn, n, arg)
	}
	out := make([]any, n)
	for i, x := range l {
		v, err := e.eval(x)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func strs(fn string, l []any) ([]string, error) {
	out := make([]string, len(l))
	for i, x := range l {
		switch s := x.(type) {
		case string:
			out[i] = s
		case json.Number:
			out[i] = s.String()
		default:
			return nil, fmt.Errorf("%s: element %v is not a string", fn, x)
		}
	}
	return out, nil
}

func (e *evaluator) ref(name string) (any, error) {
	switch name {
	case "AWS::Partition":
		return "aws", nil
	case "AWS::AccountId":
		return e.stack.Account, nil
	case "AWS::Region":
		return e.stack.Region, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return e.stack.Name, nil
	case "AWS::StackId":
		return e.stackID, nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	if e.tmpl.Resources[name] != nil {
		r := e.resources[name]
		if r == nil {
			return nil, fmt.Errorf("Ref %s: the resource is not deployed (its condition is false, or it comes later)", name)
		}
		return r.PhysicalID, nil
	}
	return nil, fmt.Errorf("Ref %s: no such parameter, resource or pseudo parameter", name)
}

func (e *evaluator) getAtt(id, attr string) (any, error) {
	if e.tmpl.Resources[id] == nil {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	r := e.resources[id]
	if r == nil {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: the resource is not deployed (its condition is false, or it comes later)", id, attr)
	}
	v, err := e.attr(r, attr)
	if err != nil {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: %w", id, attr, err)
	}
	return v, nil
}

// sub evaluates Fn::Sub, "string" or ["string", {variables}].
func (e *evaluator) sub(arg any) (any, error) {
	str, vars := arg, map[string]any{}
	if l, ok := arg.([]any); ok {
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::Sub takes a string or [string, variables], not %v", arg)
		}
		str = l[0]
		for k, v := range asMap(l[1]) {
			r, err := e.eval(v)
			if err != nil {
				return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
			}
			vars[k] = r
		}
	}
	s, ok := str.(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Sub takes a string, not %v", str)
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+2:]
		j := strings.Index(s, "}")
		if j < 0 {
			return nil, fmt.Errorf("Fn::Sub: unterminated ${ in %q", str)
		}
		name := strings.TrimSpace(s[:j])
		s = s[j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		var v any
		var err error
		if x, ok := vars[name]; ok {
			v = x
		} else if id, attr, ok := strings.Cut(name, "."); ok {
			v, err = e.getAtt(id, attr)
		} else {
			v, err = e.ref(name)
		}
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		vs, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub ${%s} is %v, not a string", name, v)
		}
		b.WriteString(vs)
	}
}

// condition evaluates the named condition once.
func (e *evaluator) condition(name string) (bool, error) {
	if b, ok := e.conditions[name]; ok {
		return b, nil
	}
	def, ok := e.tmpl.Conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %q is not defined", name)
	}
	if e.resolving[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	e.resolving[name] = true
	v, err := e.condValue(def)
	delete(e.resolving, name)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	e.conditions[name] = v
	return v, nil
}

// condValue evaluates a condition expression to a boolean.
func (e *evaluator) condValue(v any) (bool, error) {
	m, ok := v.(map[string]any)
	if ok && len(m) == 1 {
		if c, ok := m["Condition"].(string); ok {
			return e.condition(c)
		}
	}
	r, err := e.eval(v)
	if err != nil {
		return false, err
	}
	switch b := r.(type) {
	case bool:
		return b, nil
	case string:
		if b == "true" || b == "false" {
			return b == "true", nil
		}
	}
	return false, fmt.Errorf("%v is not a condition", v)
}

func (e *evaluator) condFn(name string, arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok {
		return nil, fmt.Errorf("%s takes a list, not %v", name, arg)
	}
	switch name {
	case "Fn::Equals":
		a, err := e.args(name, arg, 2)
		if err != nil {
			return nil, err
		}
		return fmt.Sprint(a[0]) == fmt.Sprint(a[1]), nil
	case "Fn::Not":
		if len(l) != 1 {
			return nil, fmt.Errorf("Fn::Not takes one condition")
		}
		b, err := e.condValue(l[0])
		return !b, err
	}
	if len(l) < 2 || len(l) > 10 {
		return nil, fmt.Errorf("%s takes 2 to 10 conditions", name)
	}
	all := name == "Fn::And"
	for _, c := range l {
		b, err := e.condValue(c)
		if err != nil {
			return nil, err
		}
		if b != all {
			return !all, nil
		}
	}
	return all, nil
}

// availabilityZones returns the zones Fn::GetAZs lists for region: the
// real ones of ap-northeast-1 (which has no 1b for new accounts), else a, b
// and c.
func availabilityZones(region string) []string {
	suffixes := []string{"a", "b", "c"}
	if region == "ap-northeast-1" {
		suffixes = []string{"a", "c", "d"}
	}
	out := make([]string, len(suffixes))
	for i, s := range suffixes {
		out[i] = region + s
	}
	sort.Strings(out)
	return out
}
