package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

// ListSigningKeys returns every key, in activation order.
func (s *Store) ListSigningKeys(ctx context.Context) ([]*store.SigningKey, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT id, algorithm, private_jwk, public_jwk, created_at,
		activate_at, retire_at, remove_at FROM signing_keys ORDER BY activate_at NULLS FIRST, id`)
	if err != nil {
		return nil, mapErr("list signing keys", err)
	}
	ks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.SigningKey, error) {
		var k store.SigningKey
		err := r.Scan(&k.ID, &k.Algorithm, &k.PrivateJWK, &k.PublicJWK, at(&k.CreatedAt),
			at(&k.ActivateAt), at(&k.RetireAt), at(&k.RemoveAt))
		return &k, err
	})
	return ks, mapErr("list signing keys", err)
}

// InsertSigningKey adds k and retires, in the same transaction, every key
// that was not yet retired, so there is never a moment with two active keys.
func (s *Store) InsertSigningKey(ctx context.Context, k *store.SigningKey, removeOld time.Time) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		// Two replicas rotating at once queue here instead of both
		// leaving an unretired key behind.
		if _, err := tx.Exec(ctx, "LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE signing_keys SET retire_at = $1, remove_at = $2 WHERE retire_at IS NULL",
			ts(k.ActivateAt), ts(removeOld)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO signing_keys (id, algorithm, private_jwk, public_jwk,
			created_at, activate_at, retire_at, remove_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.ID, k.Algorithm, nonNil(k.PrivateJWK), nonNil(k.PublicJWK), ts(k.CreatedAt),
			ts(k.ActivateAt), ts(k.RetireAt), ts(k.RemoveAt))
		return err
	})
	return mapErr("insert signing key "+k.ID, err)
}

// nonNil keeps NOT NULL bytea columns satisfied by an empty value.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
