package codes

import (
	"strings"
	"testing"
	"time"
)

func TestCodeLifecycle(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	digits, c := New(now)
	if len(digits) != Length || strings.Trim(digits, "0123456789") != "" {
		t.Fatalf("code %q is not %d digits", digits, Length)
	}
	if strings.Contains(c.Hash+c.Salt, digits) {
		t.Fatal("the kept code holds the digits")
	}
	wrong := "000000"
	if digits == wrong {
		wrong = "111111"
	}
	if got := c.Check(now, wrong); got != Mismatch {
		t.Fatalf("wrong code: %v", got)
	}
	if got := c.Check(now.Add(time.Minute), digits); got != Accepted {
		t.Fatalf("right code: %v", got)
	}
	if got := c.Check(now.Add(TTL), digits); got != Expired {
		t.Fatalf("after the TTL: %v, want Expired", got)
	}
}

func TestAttemptsRunOut(t *testing.T) {
	now := time.Now()
	digits, c := New(now)
	wrong := "123456"
	if digits == wrong {
		wrong = "654321"
	}
	for i := 1; i < MaxAttempts; i++ {
		if got := c.Check(now, wrong); got != Mismatch {
			t.Fatalf("attempt %d: %v", i, got)
		}
	}
	if got := c.Check(now, wrong); got != TooManyAttempts {
		t.Fatalf("last attempt: %v", got)
	}
	if got := c.Check(now, digits); got != TooManyAttempts {
		t.Fatalf("the right code after the limit: %v, want TooManyAttempts", got)
	}
}

func TestCodesDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		d, _ := New(time.Now())
		seen[d] = true
	}
	if len(seen) < 45 {
		t.Fatalf("only %d distinct codes in 50", len(seen))
	}
}

func TestSendsCooldownPerAddress(t *testing.T) {
	var s Sends
	now := time.Now()
	if w := s.Wait("Kim@Example.com", now); w != 0 {
		t.Fatalf("first send waits %v", w)
	}
	if w := s.Wait("kim@example.com", now.Add(5*time.Second)); w != Cooldown-5*time.Second {
		t.Fatalf("same address in another letter case: wait %v", w)
	}
	if w := s.Wait("lee@example.com", now.Add(5*time.Second)); w != 0 {
		t.Fatalf("another address waits %v", w)
	}
	if w := s.Wait("kim@example.com", now.Add(Cooldown)); w != 0 {
		t.Fatalf("after the cooldown: wait %v", w)
	}
}
