package codes

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"
)

// Limits of a code. Logto's passcodes live 10 minutes and allow 10 tries; five tries keep a
// guess at one in 200,000 while leaving room for typos.
const (
	Length      = 6
	TTL         = 10 * time.Minute
	MaxAttempts = 5
	// Cooldown is how long a person waits before asking for another code to the same address
	// (Logto's page counts down 60 seconds; here the server holds it too).
	Cooldown = 60 * time.Second
)

// Code is a code in flight as the interaction keeps it: never the code itself.
type Code struct {
	Hash      string `json:"hash"`
	Salt      string `json:"salt"`
	SentAt    int64  `json:"sentAt"`    // epoch ms
	ExpiresAt int64  `json:"expiresAt"` // epoch ms
	Attempts  int    `json:"attempts"`
}

// Outcome is why a presented code was not accepted.
type Outcome int

// The outcomes of Check.
const (
	Accepted Outcome = iota
	Mismatch
	Expired
	TooManyAttempts
)

// New makes a code sent at now: the digits to send, and what to keep.
func New(now time.Time) (string, Code) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil { // crypto/rand does not fail on supported platforms
		panic(err)
	}
	digits := fmt.Sprintf("%0*d", Length, n.Int64())
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	c := Code{Salt: hex.EncodeToString(salt), SentAt: now.UnixMilli(), ExpiresAt: now.Add(TTL).UnixMilli()}
	c.Hash = c.hash(digits)
	return digits, c
}

func (c Code) hash(digits string) string {
	sum := sha256.Sum256([]byte(c.Salt + ":" + digits))
	return hex.EncodeToString(sum[:])
}

// Check compares presented with the code at now, counting the attempt. An expired code or one
// that used up its attempts is refused whatever is presented.
func (c *Code) Check(now time.Time, presented string) Outcome {
	switch {
	case now.UnixMilli() >= c.ExpiresAt:
		return Expired
	case c.Attempts >= MaxAttempts:
		return TooManyAttempts
	}
	c.Attempts++
	if subtle.ConstantTimeCompare([]byte(c.hash(presented)), []byte(c.Hash)) != 1 {
		if c.Attempts >= MaxAttempts {
			return TooManyAttempts
		}
		return Mismatch
	}
	return Accepted
}

// WaitBeforeResend is how long to wait before another code may be sent after c (0: now).
func (c Code) WaitBeforeResend(now time.Time) time.Duration {
	next := time.UnixMilli(c.SentAt).Add(Cooldown)
	if wait := next.Sub(now); wait > 0 {
		return wait
	}
	return 0
}
