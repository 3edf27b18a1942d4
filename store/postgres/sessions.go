package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

const sessionCols = `id, user_id, methods, clients, created_at, authenticated_at, updated_at,
	expires_at, initial_ip, last_ip, initial_ua, last_ua`

func scanSession(row pgx.Row) (*store.Session, error) {
	var x store.Session
	if err := row.Scan(&x.ID, &x.UserID, &x.Methods, &x.Clients, at(&x.CreatedAt),
		at(&x.AuthenticatedAt), at(&x.UpdatedAt), at(&x.ExpiresAt), &x.InitialIP, &x.LastIP,
		&x.InitialUA, &x.LastUA); err != nil {
		return nil, err
	}
	utcMethods(x.Methods)
	return &x, nil
}

// utcMethods normalises times decoded from JSON the same way as column
// times.
func utcMethods(ms []store.AuthMethod) {
	for i := range ms {
		ms[i].Timestamp = utc(ms[i].Timestamp)
	}
}

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
		return mapErr("create session", j.err)
	}
	_, err := s.exec(ctx, "create session", "INSERT INTO sessions ("+sessionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		x.ID, x.UserID, methods, clients, ts(x.CreatedAt), ts(x.AuthenticatedAt),
		ts(x.UpdatedAt), ts(x.ExpiresAt), x.InitialIP, x.LastIP, x.InitialUA, x.LastUA)
	return err
}

// GetSession returns the session whatever its expiry; the caller compares
// ExpiresAt with its clock.
func (s *Store) GetSession(ctx context.Context, id string) (*store.Session, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	x, err := scanSession(s.pool.QueryRow(ctx, "SELECT "+sessionCols+" FROM sessions WHERE id = $1", id))
	return x, mapErr("get session", err)
}

// UpdateSession overwrites the mutable fields; the user, creation time and
// initial IP and user agent never change.
func (s *Store) UpdateSession(ctx context.Context, x *store.Session) error {
	var j jsonCols
	methods, clients := j.list(x.Methods), j.list(x.Clients)
	if j.err != nil {
		return mapErr("update session", j.err)
	}
	return s.execOne(ctx, "update session", `UPDATE sessions SET methods = $1, clients = $2,
		authenticated_at = $3, updated_at = $4, expires_at = $5, last_ip = $6, last_ua = $7
		WHERE id = $8`, methods, clients, ts(x.AuthenticatedAt), ts(x.UpdatedAt),
		ts(x.ExpiresAt), x.LastIP, x.LastUA, x.ID)
}

// DeleteSession removes one session; ErrNotFound if there is none.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete session", "DELETE FROM sessions WHERE id = $1", id)
}

// DeleteUserSessions removes every session of the user (none is fine).
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := s.exec(ctx, "delete sessions of "+userID, "DELETE FROM sessions WHERE user_id = $1", userID)
	return err
}
