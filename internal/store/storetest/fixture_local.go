package storetest

import (
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"
)

// fixture is the shared fixture; the suites of this package add no helpers of their own to it.
type fixture = fx.Fixture

func newFixture(t *testing.T, open fx.Open) *fixture { return fx.New(t, open) }
