package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sealing"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

type secrets struct{ s *tenantScope }

func checkSecretName(name string) error {
	return sqlx.CheckLen("secret name", name, true, maxSecretNameLen)
}

func (r secrets) Create(ctx context.Context, sec model.ApplicationSecret) error {
	if err := checkID("application id", sec.ApplicationID); err != nil {
		return err
	}
	if err := checkSecretName(sec.Name); err != nil {
		return err
	}
	if err := sqlx.CheckLen("secret value", sec.Value, true, maxSecretValueLen); err != nil {
		return err
	}
	stored, err := r.s.db.sealer.Seal(sealing.SecretPlace(r.s.tenantID, sec.ApplicationID), sec.Value)
	if err != nil {
		return err
	}
	err = r.s.write(ctx, sqlx.ExecStmt(ctx, `INSERT INTO application_secrets (tenant_id, application_id, name, value, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
		r.s.tenantID, sec.ApplicationID, sec.Name, stored, sec.CreatedAt, sec.ExpiresAt))
	return wrapErr("create secret of application "+sec.ApplicationID, err)
}

// List is on the client-authentication path: one indexed range read of the primary key, and one
// AES-GCM open per secret (the data keys are unwrapped in memory; directory.Directory caches the
// result, so a warm token request opens nothing).
func (r secrets) List(ctx context.Context, appID string) ([]model.ApplicationSecret, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	out := []model.ApplicationSecret{}
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		sec := model.ApplicationSecret{TenantID: r.s.tenantID}
		var expires sql.NullInt64
		var stored string
		if err := sc.Scan(&sec.ApplicationID, &sec.Name, &stored, &sec.CreatedAt, &expires); err != nil {
			return err
		}
		value, err := r.s.db.sealer.Open(sealing.SecretPlace(r.s.tenantID, sec.ApplicationID), stored)
		if err != nil {
			return err
		}
		sec.Value = value
		if expires.Valid {
			sec.ExpiresAt = &expires.Int64
		}
		out = append(out, sec)
		return nil
	}, `SELECT application_id, name, value, created_at, expires_at FROM application_secrets
		WHERE tenant_id = ? AND application_id = ? ORDER BY created_at, name`, r.s.tenantID, appID)
	if err != nil {
		return nil, wrapErr("list secrets of application "+appID, err)
	}
	return out, nil
}

func (r secrets) Rename(ctx context.Context, appID, oldName, newName string) error {
	if err := checkSecretName(newName); err != nil {
		return err
	}
	err := r.s.write(ctx, sqlx.ExecRow(ctx, `UPDATE application_secrets SET name = ?
			WHERE tenant_id = ? AND application_id = ? AND name = ?`, newName, r.s.tenantID, appID, oldName))
	return wrapErr("rename secret of application "+appID, err)
}

func (r secrets) Delete(ctx context.Context, appID, name string) error {
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM application_secrets WHERE tenant_id = ? AND application_id = ? AND name = ?",
		r.s.tenantID, appID, name))
	return wrapErr("delete secret of application "+appID, err)
}
