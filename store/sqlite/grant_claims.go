package sqlite

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
		return fmt.Errorf("sqlite: grant claims: %w", err)
	}
	err = s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "UPDATE grants SET claims = ? WHERE id = ?", string(b), grantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	return mapErr(err, "set grant claims")
}

// GrantClaims returns the userinfo claims of a grant.
func (s *Store) GrantClaims(ctx context.Context, grantID string) (map[string]any, error) {
	var raw string
	if err := s.rq.QueryRowContext(ctx, "SELECT claims FROM grants WHERE id = ?", grantID).Scan(&raw); err != nil {
		return nil, mapErr(err, "get grant claims")
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("sqlite: grant claims: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
