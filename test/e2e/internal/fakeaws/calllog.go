package fakeaws

import (
	"fmt"
	"strings"
	"time"
)

// Call is one request the fake answered, or one token review.
type Call struct {
	Time time.Time
	// Principal is the caller's session ARN, or for a web identity
	// "<issuer>#<sub>", or "" when unknown.
	Principal string
	// Role is the ARN of the caller's role, when known.
	Role     string
	Action   string // e.g. sts:AssumeRole, secretsmanager:GetSecretValue, eks:AuthenticateToken
	Resource string
	Allowed  bool
	Code     string // the error code answered, when refused
	Reason   string // why it was refused, or what was granted
}

func (c Call) String() string {
	verdict := "allowed"
	if !c.Allowed {
		verdict = "REFUSED " + c.Code
	}
	who := c.Principal
	if who == "" {
		who = "(anonymous)"
	}
	s := fmt.Sprintf("%s %s %s %s on %s", c.Time.UTC().Format("15:04:05"), verdict, who, c.Action, c.Resource)
	if c.Reason != "" {
		s += ": " + c.Reason
	}
	return s
}

// callLog keeps the last max calls; it is guarded by Cloud.mu.
type callLog struct {
	max   int
	calls []Call
}

func (l *callLog) add(c Call) {
	l.calls = append(l.calls, c)
	if l.max > 0 && len(l.calls) > l.max {
		l.calls = append([]Call(nil), l.calls[len(l.calls)-l.max:]...)
	}
}

func (c *Cloud) record(call Call) {
	call.Time = c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log.add(call)
}

// Calls returns the calls answered so far, oldest first.
func (c *Cloud) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clone(c.log.calls)
}

// Refusals returns the last n refused calls (all when n <= 0), oldest
// first.
func (c *Cloud) Refusals(n int) []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Call
	for _, call := range c.log.calls {
		if !call.Allowed {
			out = append(out, call)
		}
	}
	if n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// RefusalReport formats the last n refusals, one a line, for a failing
// test to print.
func (c *Cloud) RefusalReport(n int) string {
	r := c.Refusals(n)
	if len(r) == 0 {
		return "fakeaws: no refused calls"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fakeaws: last %d refused calls:\n", len(r))
	for _, call := range r {
		b.WriteString("  " + call.String() + "\n")
	}
	return b.String()
}
