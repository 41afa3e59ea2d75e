package fakeaws

import (
	"crypto"
	"strings"
	"testing"
	"time"
)

func TestJWTVerification(t *testing.T) {
	rs := newRSAIssuer(t, "https://issuer/rs")
	es := newECIssuer(t, "https://issuer/es")
	claims := map[string]any{"iss": "https://issuer", "sub": "s", "aud": "sts.amazonaws.com", "exp": time.Now().Add(time.Hour).Unix()}
	for _, tt := range []struct {
		name  string
		token string
		keys  []crypto.PublicKey
		want  string // "" verifies
	}{
		{"RS256 with its key", rs.sign(t, "RS256", claims), []crypto.PublicKey{rs.key.Public()}, ""},
		{"ES256 with its key", es.sign(t, "ES256", claims), []crypto.PublicKey{es.key.Public()}, ""},
		{"ES256 among several keys", es.sign(t, "ES256", claims), []crypto.PublicKey{rs.key.Public(), es.key.Public()}, ""},
		{"RS256 with another key", rs.sign(t, "RS256", claims), []crypto.PublicKey{es.key.Public()}, "does not verify"},
		{"EC signature labelled RS256", es.sign(t, "RS256", claims), []crypto.PublicKey{es.key.Public()}, "does not verify"},
		{"alg none", rs.sign(t, "none", claims), []crypto.PublicKey{rs.key.Public()}, "not accepted"},
		{"HS256", rs.sign(t, "HS256", claims), []crypto.PublicKey{rs.key.Public()}, "not accepted"},
		{"claims swapped after signing", swapClaims(rs.sign(t, "RS256", claims), rs.sign(t, "RS256", map[string]any{"sub": "admin"})), []crypto.PublicKey{rs.key.Public()}, "does not verify"},
		{"two parts", "a.b", nil, "three"},
		{"claims not base64", "e30.!!!.c2ln", nil, "base64url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := parseJWT(tt.token)
			if err == nil {
				err = tok.verify(tt.keys)
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tok.Claims.Sub != "s" || len(tok.Claims.Aud) != 1 || tok.Claims.Exp == nil {
					t.Errorf("claims %+v", tok.Claims)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// swapClaims puts the claims of b into the signed token a.
func swapClaims(a, b string) string {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	return pa[0] + "." + pb[1] + "." + pa[2]
}
