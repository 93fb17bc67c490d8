package ids

import "crypto/rand"

const (
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	mixedAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// New returns a 21-character [0-9a-z] id, Logto's generateStandardId.
func New() string { return random(lowerAlnum, 21) }

// NewUserID returns a 12-character [0-9a-z] id, Logto's user id length.
func NewUserID() string { return random(lowerAlnum, 12) }

// NewSecret returns a 32-character [0-9A-Za-z] secret, the shape of Logto's client secrets.
func NewSecret() string { return random(mixedAlnum, 32) }

// NewString returns n characters drawn uniformly from [0-9A-Za-z].
func NewString(n int) string { return random(mixedAlnum, n) }

// random draws n characters uniformly from alphabet, rejecting bytes that would bias the draw.
func random(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	buf := make([]byte, n*2)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go ≥ 1.24)
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}
