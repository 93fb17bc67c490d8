package codes

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"sync"
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

// Sends remembers when a code last went to each address, so one address is not sent a code more
// than once per Cooldown whichever interaction asks (new interactions are free to make: a limit
// per interaction alone would let a script flood someone's inbox). It is per node, like the
// address rate limit; addresses are kept as hashes and forgotten after the cooldown.
type Sends struct {
	mu   sync.Mutex
	last map[[32]byte]time.Time
}

// Wait is how long to wait before a code may go to address at now (0: now, and the send is
// recorded).
func (s *Sends) Wait(address string, now time.Time) time.Duration {
	key := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(address))))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last = map[[32]byte]time.Time{}
	}
	if prev, ok := s.last[key]; ok {
		if wait := prev.Add(Cooldown).Sub(now); wait > 0 {
			return wait
		}
	}
	if len(s.last) > 10_000 { // drop what has cooled down, at most once per 10,000 addresses
		for k, t := range s.last {
			if now.Sub(t) >= Cooldown {
				delete(s.last, k)
			}
		}
	}
	s.last[key] = now
	return 0
}
