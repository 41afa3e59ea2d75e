package words

import "testing"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 stacks", 1: "1 stack", 2: "2 stacks"} {
		if got := Plural(n, "stack"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
