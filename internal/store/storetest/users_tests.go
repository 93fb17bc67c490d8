package storetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/store"
)

// testUsers is filled in by the issue 3 work on this repository.
func testUsers(t *testing.T, open func(t *testing.T) store.Store) {}
