package eventsuite

import (
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"
)

// fixture is the shared fixture, extended by this suite's own creation helpers.
type fixture struct{ *fx.Fixture }

func newFixture(t *testing.T, open fx.Open) *fixture { return &fixture{fx.New(t, open)} }
