package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/store"
)

// userCols selects a user with its roles as a sorted JSON list and its
// factor summary, so one statement reads a consistent user.
const userCols = `u.id, u.connection, u.email, u.email_verified, u.name, u.nickname,
	u.given_name, u.family_name, u.picture, u.password_hash, u.user_metadata,
	u.app_metadata, u.logins_count, u.last_login, u.last_ip, u.last_password_reset,
	u.created_at, u.updated_at,
	(SELECT jsonb_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id),
	EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed),
	EXISTS (SELECT 1 FROM webauthn_credentials c WHERE c.user_id = u.id)`

func scanUser(row pgx.Row) (*store.User, error) {
	var u store.User
	err := row.Scan(&u.ID, &u.Connection, &u.Email, &u.EmailVerified, &u.Name, &u.Nickname,
		&u.GivenName, &u.FamilyName, &u.Picture, &u.PasswordHash, &u.UserMetadata,
		&u.AppMetadata, &u.LoginsCount, at(&u.LastLogin), &u.LastIP, at(&u.LastPasswordReset),
		at(&u.CreatedAt), at(&u.UpdatedAt), &u.Roles, &u.HasTOTP, &u.HasPasskey)
	if err != nil {
		return nil, err
	}
	// Metadata maps are never nil: actions see {} for an empty object.
	if u.UserMetadata == nil {
		u.UserMetadata = map[string]any{}
	}
	if u.AppMetadata == nil {
		u.AppMetadata = map[string]any{}
	}
	return &u, nil
}

func getUser(ctx context.Context, q querier, id string) (*store.User, error) {
	return scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users u WHERE u.id = $1", id))
}

// CreateUser inserts u with its roles; its email is lower-cased, also in u.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		return errors.New("postgres: create user: empty id")
	}
	u.Email = strings.ToLower(u.Email)
	var j jsonCols
	userMeta, appMeta := j.obj(u.UserMetadata), j.obj(u.AppMetadata)
	if j.err != nil {
		return mapErr("create user", j.err)
	}
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (id, connection, email, email_verified,
			name, nickname, given_name, family_name, picture, password_hash, user_metadata,
			app_metadata, logins_count, last_login, last_ip, last_password_reset, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			u.ID, u.Connection, u.Email, u.EmailVerified, u.Name, u.Nickname, u.GivenName,
			u.FamilyName, u.Picture, u.PasswordHash, userMeta, appMeta, u.LoginsCount,
			ts(u.LastLogin), u.LastIP, ts(u.LastPasswordReset), ts(u.CreatedAt), ts(u.UpdatedAt))
		if err != nil {
			return err
		}
		return addRoles(ctx, tx, u.ID, u.Roles)
	})
	return mapErr("create user "+u.ID, err)
}

// GetUser returns the user with that id.
func (s *Store) GetUser(ctx context.Context, id string) (*store.User, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	u, err := getUser(ctx, s.pool, id)
	return u, mapErr("get user "+id, err)
}

// GetUserByEmail finds a user of connection by email, ignoring case.
func (s *Store) GetUserByEmail(ctx context.Context, connection, email string) (*store.User, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	u, err := scanUser(s.pool.QueryRow(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.connection = $1 AND u.email = $2",
		connection, strings.ToLower(email)))
	return u, mapErr("get user by email", err)
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]*store.User, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, "SELECT "+userCols+" FROM users u ORDER BY u.created_at NULLS FIRST, u.id")
	if err != nil {
		return nil, mapErr("list users", err)
	}
	us, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.User, error) { return scanUser(r) })
	return us, mapErr("list users", err)
}

// DeleteUser removes the user; foreign keys with ON DELETE CASCADE remove
// its roles, sessions, grants, refresh tokens, factors and passkeys.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete user "+id, "DELETE FROM users WHERE id = $1", id)
}

// SetPasswordHash replaces the hash and records the reset time.
func (s *Store) SetPasswordHash(ctx context.Context, id, hash string, at time.Time) error {
	return s.execOne(ctx, "set password "+id,
		"UPDATE users SET password_hash = $1, last_password_reset = $2, updated_at = $2 WHERE id = $3",
		hash, ts(at), id)
}

// UpdateMetadata merges both patches in one UPDATE: jsonb || sets the
// top-level keys whose new value is not nil, jsonb - text[] drops the keys
// patched to nil. The row lock the UPDATE takes serialises concurrent
// patches, so two patches of different keys both survive, even from two
// processes.
func (s *Store) UpdateMetadata(ctx context.Context, id string, userPatch, appPatch map[string]any, at time.Time) (*store.User, error) {
	var j jsonCols
	userSet, userDel := splitPatch(&j, userPatch)
	appSet, appDel := splitPatch(&j, appPatch)
	if j.err != nil {
		return nil, mapErr("update metadata "+id, j.err)
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	u, err := scanUser(s.pool.QueryRow(ctx, `UPDATE users u SET
			user_metadata = (u.user_metadata || $2::jsonb) - $3::text[],
			app_metadata = (u.app_metadata || $4::jsonb) - $5::text[],
			updated_at = $6
		WHERE u.id = $1 RETURNING `+userCols,
		id, userSet, userDel, appSet, appDel, ts(at)))
	return u, mapErr("update metadata "+id, err)
}

// splitPatch separates a patch into the keys to set (a JSON object) and
// the keys to delete (a nil value). Objects replace the old value whole,
// as Auth0's api.user.setUserMetadata does.
func splitPatch(j *jsonCols, patch map[string]any) (set string, del []string) {
	keep := make(map[string]any, len(patch))
	del = []string{}
	for k, v := range patch {
		if v == nil {
			del = append(del, k)
		} else {
			keep[k] = v
		}
	}
	return j.obj(keep), del
}

// RecordLogin counts a login in one UPDATE, so concurrent logins cannot
// lose an increment.
func (s *Store) RecordLogin(ctx context.Context, id string, at time.Time, ip string) (*store.User, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	u, err := scanUser(s.pool.QueryRow(ctx, `UPDATE users u SET logins_count = u.logins_count + 1,
			last_login = $2, last_ip = $3, updated_at = $2
		WHERE u.id = $1 RETURNING `+userCols, id, ts(at), ip))
	return u, mapErr("record login "+id, err)
}

// AddRoles gives the user roles; roles it already has are kept once.
func (s *Store) AddRoles(ctx context.Context, id string, roles ...string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := userExists(ctx, tx, id); err != nil {
			return err
		}
		return addRoles(ctx, tx, id, roles)
	})
	return mapErr("add roles "+id, err)
}

func addRoles(ctx context.Context, tx pgx.Tx, id string, roles []string) error {
	if len(roles) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role)
		SELECT $1, r FROM unnest($2::text[]) AS r ON CONFLICT DO NOTHING`, id, roles)
	return err
}

// RemoveRoles takes roles away; roles the user does not have are ignored.
func (s *Store) RemoveRoles(ctx context.Context, id string, roles ...string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := userExists(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM user_roles WHERE user_id = $1 AND role = ANY($2::text[])", id, roles)
		return err
	})
	return mapErr("remove roles "+id, err)
}

func userExists(ctx context.Context, q querier, id string) error {
	var one int
	return q.QueryRow(ctx, "SELECT 1 FROM users WHERE id = $1", id).Scan(&one)
}
