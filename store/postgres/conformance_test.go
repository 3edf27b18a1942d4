package postgres

import (
	"testing"

	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestPostgresConformance runs the backend-independent suite; every
// subtest gets a fresh schema.
func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTest(t)
		return s
	})
}
