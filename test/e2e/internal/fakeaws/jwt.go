package fakeaws

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	// The hashes the JWT algorithms use.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// jwtClaims are the claims of a web identity token STS looks at.
type jwtClaims struct {
	Iss string       `json:"iss"`
	Sub string       `json:"sub"`
	Aud audience     `json:"aud"`
	Exp *numericDate `json:"exp"`
	Nbf *numericDate `json:"nbf"`
}

type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud is neither a string nor a list of strings")
	}
	*a = many
	return nil
}

type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s is not a NumericDate", b)
	}
	sec := int64(f)
	d.Time = time.Unix(sec, int64((f-float64(sec))*1e9))
	return nil
}

// jwtAlgs are the signature algorithms the fake verifies.
var jwtAlgs = map[string]struct {
	hash crypto.Hash
	rsa  bool
	pss  bool
	size int // ECDSA field size in bytes
}{
	"RS256": {hash: crypto.SHA256, rsa: true},
	"RS384": {hash: crypto.SHA384, rsa: true},
	"RS512": {hash: crypto.SHA512, rsa: true},
	"PS256": {hash: crypto.SHA256, rsa: true, pss: true},
	"ES256": {hash: crypto.SHA256, size: 32},
	"ES384": {hash: crypto.SHA384, size: 48},
}

// parsedJWT is a compact JWS split into its parts.
type parsedJWT struct {
	Alg          string
	Claims       jwtClaims
	signingInput []byte
	signature    []byte
}

// parseJWT decodes a compact JWS without verifying it.
func parseJWT(token string) (*parsedJWT, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a JWT (three dot-separated parts)")
	}
	dec := base64.RawURLEncoding
	hb, err := dec.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("the JWT header is not base64url: %v", err)
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, fmt.Errorf("the JWT header is not JSON: %v", err)
	}
	cb, err := dec.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("the JWT claims are not base64url: %v", err)
	}
	var claims jwtClaims
	if err := json.Unmarshal(cb, &claims); err != nil {
		return nil, fmt.Errorf("the JWT claims are not valid: %v", err)
	}
	sig, err := dec.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("the JWT signature is not base64url: %v", err)
	}
	return &parsedJWT{Alg: header.Alg, Claims: claims, signingInput: []byte(parts[0] + "." + parts[1]), signature: sig}, nil
}

// verify checks the token's signature against keys: one must verify it.
func (t *parsedJWT) verify(keys []crypto.PublicKey) error {
	alg, ok := jwtAlgs[t.Alg]
	if !ok {
		return fmt.Errorf("signature algorithm %q is not accepted", t.Alg)
	}
	h := alg.hash.New()
	h.Write(t.signingInput)
	digest := h.Sum(nil)
	for _, k := range keys {
		switch k := k.(type) {
		case *rsa.PublicKey:
			if !alg.rsa {
				continue
			}
			var err error
			if alg.pss {
				err = rsa.VerifyPSS(k, alg.hash, digest, t.signature, nil)
			} else {
				err = rsa.VerifyPKCS1v15(k, alg.hash, digest, t.signature)
			}
			if err == nil {
				return nil
			}
		case *ecdsa.PublicKey:
			if alg.rsa || k.Curve.Params().BitSize != alg.size*8 || len(t.signature) != 2*alg.size {
				continue
			}
			r := new(big.Int).SetBytes(t.signature[:alg.size])
			s := new(big.Int).SetBytes(t.signature[alg.size:])
			if ecdsa.Verify(k, digest, r, s) {
				return nil
			}
		}
	}
	return errors.New("the signature does not verify with any key of the issuer")
}
