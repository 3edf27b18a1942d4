package server

import (
	"context"
	"fmt"

	"github.com/authd/authd/config"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/postgres"
	"github.com/authd/authd/store/sqlite"
)

// OpenStore opens (and migrates) the configured storage.
func OpenStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	switch cfg.Storage.Driver {
	case "", "sqlite":
		st, err := sqlite.Open(ctx, cfg.Storage.DSN)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", cfg.Storage.DSN, err)
		}
		return st, nil
	case "postgres":
		st, err := postgres.Open(ctx, cfg.Storage.DSN)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return st, nil
	default:
		return nil, fmt.Errorf("storage.driver: unknown driver %q", cfg.Storage.Driver)
	}
}
