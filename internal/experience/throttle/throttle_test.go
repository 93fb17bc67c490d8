package throttle

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

func TestLockoutPolicyDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   model.SentinelPolicy
		want Policy
	}{
		{"Logto's defaults", model.SentinelPolicy{}, Policy{100, 60 * time.Minute}},
		{"configured", model.SentinelPolicy{MaxAttempts: ptr(5), LockoutDuration: ptr(15)}, Policy{5, 15 * time.Minute}},
		{"nonsense falls back", model.SentinelPolicy{MaxAttempts: ptr(0), LockoutDuration: ptr(-3)}, Policy{100, 60 * time.Minute}},
	} {
		if got := ResolvePolicy(tc.in); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestMinutesLeft(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		left time.Duration
		want int
	}{{60 * time.Minute, 60}, {59*time.Minute + time.Second, 60}, {30 * time.Second, 1}, {0, 1}} {
		if got := MinutesLeft(now, now.Add(tc.left)); got != tc.want {
			t.Errorf("%v left: %d minutes, want %d", tc.left, got, tc.want)
		}
	}
}

func TestLockoutTarget(t *testing.T) {
	u := &model.User{ID: "u1"}
	if Target(u, "username", "alice").Hash != Target(u, "email", "alice@example.com").Hash {
		t.Error("one account has two targets")
	}
	if Target(nil, "email", "Ghost@Example.com").Hash != Target(nil, "email", "ghost@example.com").Hash {
		t.Error("an unknown email's target depends on letter case")
	}
	if Target(nil, "username", "u1").Hash == Target(u, "username", "x").Hash {
		t.Error("an identifier equal to a user id shares the user's target")
	}
}

func TestAddressLimiter(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	l := NewAddressLimiter(RateLimit{PerSecond: 2, Burst: 2}, clk)
	for i, want := range []bool{true, true, false} {
		if got := l.Allow("192.0.2.1"); got != want {
			t.Fatalf("attempt %d: %v, want %v", i+1, got, want)
		}
	}
	if !l.Allow("192.0.2.2") {
		t.Fatal("another address is limited by the first one's attempts")
	}
	clk.Advance(500 * time.Millisecond)
	if !l.Allow("192.0.2.1") {
		t.Fatal("no token back after half a second at 2/s")
	}

	// Memory stays bounded: once the table is full, addresses idle long enough to have
	// refilled their bucket are forgotten.
	for i := range maxTrackedAddresses - 2 {
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	clk.Advance(2 * time.Second)
	l.Allow("198.51.100.7")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("%d buckets kept after the idle ones refilled, want only the new one", n)
	}

	off := NewAddressLimiter(RateLimit{Disabled: true}, clk)
	for range 100 {
		if !off.Allow("192.0.2.1") {
			t.Fatal("a disabled limiter refused")
		}
	}
}

func ptr[T any](v T) *T { return &v }
