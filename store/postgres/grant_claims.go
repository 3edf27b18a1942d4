package postgres

import (
	"context"
	"encoding/json"
	"fmt"
)

// SetGrantClaims replaces the userinfo claims of a grant; ErrNotFound for
// an unknown grant.
func (s *Store) SetGrantClaims(ctx context.Context, grantID string, claims map[string]any) error {
	if claims == nil {
		claims = map[string]any{}
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return fmt.Errorf("postgres: set grant claims: %w", err)
	}
	return s.execOne(ctx, "set grant claims", "UPDATE grants SET claims = $1 WHERE id = $2", string(b), grantID)
}

// GrantClaims returns the userinfo claims of a grant, nil when none were
// set.
func (s *Store) GrantClaims(ctx context.Context, grantID string) (map[string]any, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var out map[string]any
	if err := s.pool.QueryRow(ctx, "SELECT claims FROM grants WHERE id = $1", grantID).Scan(&out); err != nil {
		return nil, mapErr("get grant claims", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
