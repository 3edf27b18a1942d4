package sqlite

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/store"
)

const sessionCols = `id, user_id, methods, clients, created_at, authenticated_at, updated_at,
	expires_at, initial_ip, last_ip, initial_ua, last_ua`

func scanSession(row scanner) (*store.Session, error) {
	var (
		x                                    store.Session
		methods, clients                     string
		created, authenticated, updated, exp int64
	)
	if err := row.Scan(&x.ID, &x.UserID, &methods, &clients, &created, &authenticated, &updated,
		&exp, &x.InitialIP, &x.LastIP, &x.InitialUA, &x.LastUA); err != nil {
		return nil, err
	}
	x.CreatedAt, x.AuthenticatedAt, x.UpdatedAt, x.ExpiresAt = tm(created), tm(authenticated), tm(updated), tm(exp)
	if err := errors.Join(decode("methods", methods, &x.Methods), decode("clients", clients, &x.Clients)); err != nil {
		return nil, err
	}
	for i := range x.Methods {
		x.Methods[i].Timestamp = utc(x.Methods[i].Timestamp)
	}
	return &x, nil
}

// utc normalises a time decoded from JSON the same way as column times.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// CreateSession inserts x; ErrNotFound if its user does not exist.
func (s *Store) CreateSession(ctx context.Context, x *store.Session) error {
	var j jsonCols
	methods, clients := j.list(x.Methods), j.list(x.Clients)
	if j.err != nil {
		return mapErr(j.err, "create session")
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions ("+sessionCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			x.ID, x.UserID, methods, clients, ns(x.CreatedAt), ns(x.AuthenticatedAt),
			ns(x.UpdatedAt), ns(x.ExpiresAt), x.InitialIP, x.LastIP, x.InitialUA, x.LastUA)
		return err
	})
	return mapErr(err, "create session")
}

// GetSession returns the session whatever its expiry; the caller compares
// ExpiresAt with its clock.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	x, err := scanSession(s.rq.QueryRowContext(ctx, "SELECT "+sessionCols+" FROM sessions WHERE id = ?", id))
	return x, mapErr(err, "get session")
}

// UpdateSession overwrites the mutable fields; the user, creation time and
// initial IP and user agent never change.
func (s *Store) UpdateSession(ctx context.Context, x *store.Session) error {
	var j jsonCols
	methods, clients := j.list(x.Methods), j.list(x.Clients)
	if j.err != nil {
		return mapErr(j.err, "update session")
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET methods = ?, clients = ?,
			authenticated_at = ?, updated_at = ?, expires_at = ?, last_ip = ?, last_ua = ?
			WHERE id = ?`, methods, clients, ns(x.AuthenticatedAt), ns(x.UpdatedAt),
			ns(x.ExpiresAt), x.LastIP, x.LastUA, x.ID)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "update session")
}

// DeleteSession removes one session; ErrNotFound if there is none.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "delete session")
}

// DeleteUserSessions removes every session of the user (none is fine).
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
		return err
	})
	return mapErr(err, "delete sessions of "+userID)
}
