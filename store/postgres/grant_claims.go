package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/authd/authd/store"
)

// SetGrantClaims replaces the userinfo claims of a grant.
func (s *Store) SetGrantClaims(ctx context.Context, grantID string, claims map[string]any) error {
	if claims == nil {
		claims = map[string]any{}
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return fmt.Errorf("postgres: grant claims: %w", err)
	}
	n, err := s.exec(ctx, "set grant claims", "UPDATE grants SET claims = $1 WHERE id = $2", string(b), grantID)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// GrantClaims returns the userinfo claims of a grant.
func (s *Store) GrantClaims(ctx context.Context, grantID string) (map[string]any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var raw []byte
	if err := s.pool.QueryRow(ctx, "SELECT claims FROM grants WHERE id = $1", grantID).Scan(&raw); err != nil {
		return nil, mapErr("get grant claims", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("postgres: grant claims: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
