package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authd/authd/store"
)

// userCols selects a user with its roles as a JSON list and its factor
// summary, so one statement reads a consistent user without a read
// transaction.
const userCols = `id, connection, email, email_verified, name, nickname, given_name,
	family_name, picture, password_hash, user_metadata, app_metadata, logins_count,
	last_login, last_ip, last_password_reset, created_at, updated_at,
	(SELECT json_group_array(role) FROM (SELECT role FROM user_roles r
		WHERE r.user_id = users.id ORDER BY role)),
	EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = users.id AND t.confirmed),
	EXISTS (SELECT 1 FROM webauthn_credentials c WHERE c.user_id = users.id)`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*store.User, error) {
	var (
		u                                      store.User
		userMeta, appMeta, roles               string
		lastLogin, lastReset, created, updated int64
	)
	err := row.Scan(&u.ID, &u.Connection, &u.Email, &u.EmailVerified, &u.Name, &u.Nickname,
		&u.GivenName, &u.FamilyName, &u.Picture, &u.PasswordHash, &userMeta, &appMeta,
		&u.LoginsCount, &lastLogin, &u.LastIP, &lastReset, &created, &updated, &roles,
		&u.HasTOTP, &u.HasPasskey)
	if err != nil {
		return nil, err
	}
	u.LastLogin, u.LastPasswordReset, u.CreatedAt, u.UpdatedAt = tm(lastLogin), tm(lastReset), tm(created), tm(updated)
	// Metadata maps are never nil: actions see {} for an empty object.
	u.UserMetadata, u.AppMetadata = map[string]any{}, map[string]any{}
	if err := errors.Join(decode("user_metadata", userMeta, &u.UserMetadata),
		decode("app_metadata", appMeta, &u.AppMetadata), decode("roles", roles, &u.Roles)); err != nil {
		return nil, err
	}
	if len(u.Roles) == 0 {
		u.Roles = nil
	}
	return &u, nil
}

func getUser(ctx context.Context, q querier, id string) (*store.User, error) {
	return scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
}

// CreateUser inserts u (with its roles); its email is lower-cased, also in u.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.ID == "" {
		return errors.New("sqlite: create user: empty id")
	}
	u.Email = strings.ToLower(u.Email)
	var j jsonCols
	userMeta, appMeta := j.obj(u.UserMetadata), j.obj(u.AppMetadata)
	if j.err != nil {
		return fmt.Errorf("sqlite: create user: %w", j.err)
	}
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, connection, email, email_verified,
			name, nickname, given_name, family_name, picture, password_hash, user_metadata,
			app_metadata, logins_count, last_login, last_ip, last_password_reset, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Connection, u.Email, u.EmailVerified, u.Name, u.Nickname, u.GivenName,
			u.FamilyName, u.Picture, u.PasswordHash, userMeta, appMeta, u.LoginsCount,
			ns(u.LastLogin), u.LastIP, ns(u.LastPasswordReset), ns(u.CreatedAt), ns(u.UpdatedAt))
		if err != nil {
			return err
		}
		return addRoles(ctx, tx, u.ID, u.Roles)
	})
	return mapErr(err, "create user "+u.ID)
}

// GetUser returns the user with that id.
func (s *Store) GetUser(ctx context.Context, id string) (*store.User, error) {
	u, err := getUser(ctx, s.rq, id)
	return u, mapErr(err, "get user "+id)
}

// GetUserByEmail finds a user of connection by email, ignoring case.
func (s *Store) GetUserByEmail(ctx context.Context, connection, email string) (*store.User, error) {
	u, err := scanUser(s.rq.QueryRowContext(ctx,
		"SELECT "+userCols+" FROM users WHERE connection = ? AND email = ?",
		connection, strings.ToLower(email)))
	return u, mapErr(err, "get user by email")
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]*store.User, error) {
	rows, err := s.rq.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY created_at, id")
	if err != nil {
		return nil, mapErr(err, "list users")
	}
	defer rows.Close()
	var us []*store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, mapErr(err, "list users")
		}
		us = append(us, u)
	}
	return us, mapErr(rows.Err(), "list users")
}

// DeleteUser removes the user; foreign keys with ON DELETE CASCADE remove
// its roles, sessions, grants, refresh tokens, factors and passkeys.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "delete user "+id)
}

// SetPasswordHash replaces the hash and records the reset time.
func (s *Store) SetPasswordHash(ctx context.Context, id, hash string, at time.Time) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE users SET password_hash = ?, last_password_reset = ?, updated_at = ? WHERE id = ?",
			hash, ns(at), ns(at), id)
		if err != nil {
			return err
		}
		return affected(res)
	})
	return mapErr(err, "set password "+id)
}

// UpdateMetadata merges the patches inside the writer's transaction, so
// two concurrent patches of different keys both survive.
func (s *Store) UpdateMetadata(ctx context.Context, id string, userPatch, appPatch map[string]any, at time.Time) (*store.User, error) {
	var out *store.User
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		merge(u.UserMetadata, userPatch)
		merge(u.AppMetadata, appPatch)
		var j jsonCols
		userMeta, appMeta := j.obj(u.UserMetadata), j.obj(u.AppMetadata)
		if j.err != nil {
			return j.err
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE users SET user_metadata = ?, app_metadata = ?, updated_at = ? WHERE id = ?",
			userMeta, appMeta, ns(at), id); err != nil {
			return err
		}
		u.UpdatedAt = tm(ns(at))
		out = u
		return nil
	})
	return out, mapErr(err, "update metadata "+id)
}

// merge applies patch to m per top-level key: nil deletes the key, anything
// else (objects included) replaces the old value whole, as Auth0's
// api.user.setUserMetadata does.
func merge(m, patch map[string]any) {
	for k, v := range patch {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
}

// RecordLogin counts a login in one UPDATE, so concurrent logins cannot
// lose an increment.
func (s *Store) RecordLogin(ctx context.Context, id string, at time.Time, ip string) (*store.User, error) {
	var out *store.User
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET logins_count = logins_count + 1,
			last_login = ?, last_ip = ?, updated_at = ? WHERE id = ?`, ns(at), ip, ns(at), id)
		if err != nil {
			return err
		}
		if err := affected(res); err != nil {
			return err
		}
		out, err = getUser(ctx, tx, id)
		return err
	})
	return out, mapErr(err, "record login "+id)
}

// AddRoles gives the user roles; roles it already has are kept once.
func (s *Store) AddRoles(ctx context.Context, id string, roles ...string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if err := userExists(ctx, tx, id); err != nil {
			return err
		}
		return addRoles(ctx, tx, id, roles)
	})
	return mapErr(err, "add roles "+id)
}

func addRoles(ctx context.Context, tx *wtx, id string, roles []string) error {
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO user_roles (user_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING", id, r); err != nil {
			return err
		}
	}
	return nil
}

// RemoveRoles takes roles away; roles the user does not have are ignored.
func (s *Store) RemoveRoles(ctx context.Context, id string, roles ...string) error {
	err := s.do(ctx, func(ctx context.Context, tx *wtx) error {
		if err := userExists(ctx, tx, id); err != nil {
			return err
		}
		for _, r := range roles {
			if _, err := tx.ExecContext(ctx, "DELETE FROM user_roles WHERE user_id = ? AND role = ?", id, r); err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr(err, "remove roles "+id)
}

func userExists(ctx context.Context, q querier, id string) error {
	var one int
	return q.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", id).Scan(&one)
}
