package fakeaws

import "strings"

// eval reports whether the condition holds for the request context.
// supported is false for an operator the fake does not emulate. A key
// missing from the context does not satisfy the condition, as in IAM.
// Several values for a key match if any matches.
func (c condition) eval(ctx map[string]string) (ok, supported bool) {
	var match func(pattern, value string) bool
	switch c.Operator {
	case "StringEquals":
		match = func(p, v string) bool { return p == v }
	case "StringLike":
		match = wildcardMatch
	case "ArnEquals", "ArnLike":
		// IAM documents both as the same: each of the six ARN fields is
		// matched on its own, with wildcards.
		match = arnLike
	default:
		return false, false
	}
	v, present := ctx[strings.ToLower(c.Key)]
	if !present {
		return false, true
	}
	for _, p := range c.Values {
		if match(p, v) {
			return true, true
		}
	}
	return false, true
}

// arnLike matches ARN value against ARN pattern field by field.
func arnLike(pattern, value string) bool {
	pf := strings.SplitN(pattern, ":", 6)
	vf := strings.SplitN(value, ":", 6)
	if len(pf) != 6 || len(vf) != 6 {
		return false
	}
	for i := range pf {
		if !wildcardMatch(pf[i], vf[i]) {
			return false
		}
	}
	return true
}
