package sqlite

import (
	"context"
	"time"

	"github.com/authd/authd/store"
)

// ListSigningKeys returns every key, in activation order.
func (s *Store) ListSigningKeys(ctx context.Context) ([]*store.SigningKey, error) {
	rows, err := s.rq.QueryContext(ctx, `SELECT id, algorithm, private_jwk, public_jwk,
		created_at, activate_at, retire_at, remove_at FROM signing_keys ORDER BY activate_at, id`)
	if err != nil {
		return nil, mapErr(err, "list signing keys")
	}
	defer rows.Close()
	var ks []*store.SigningKey
	for rows.Next() {
		var k store.SigningKey
		var created, activate, retire, remove int64
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateJWK, &k.PublicJWK, &created,
			&activate, &retire, &remove); err != nil {
			return nil, mapErr(err, "list signing keys")
		}
		k.CreatedAt, k.ActivateAt, k.RetireAt, k.RemoveAt = tm(created), tm(activate), tm(retire), tm(remove)
		ks = append(ks, &k)
	}
	return ks, mapErr(rows.Err(), "list signing keys")
}

// InsertSigningKey adds k and retires, in the same transaction, every key
// that was not yet retired, so there is never a moment with two active keys.
func (s *Store) InsertSigningKey(ctx context.Context, k *store.SigningKey, removeOld time.Time) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE signing_keys SET retire_at = ?, remove_at = ? WHERE retire_at = 0",
			ns(k.ActivateAt), ns(removeOld)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, private_jwk,
			public_jwk, created_at, activate_at, retire_at, remove_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.Algorithm, nonNil(k.PrivateJWK), nonNil(k.PublicJWK), ns(k.CreatedAt),
			ns(k.ActivateAt), ns(k.RetireAt), ns(k.RemoveAt))
		return err
	})
	return mapErr(err, "insert signing key "+k.ID)
}

// nonNil keeps NOT NULL blob columns satisfied by an empty value.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
