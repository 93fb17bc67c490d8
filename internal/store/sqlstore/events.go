package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/connectorrows"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/consolerows"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/eventrows"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sentinelrows"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// eventScope is the sub-packages' sqlx.TenantScope: rows no cache holds (no generation bump),
// written without a savepoint inside a change's transaction (a failed insert ends it anyway).
type eventScope struct{ s *tenantScope }

func (e eventScope) TenantID() string           { return e.s.tenantID }
func (e eventScope) Reader() (sqlx.Conn, error) { return e.s.reader() }
func (e eventScope) Write(ctx context.Context, fn func(c sqlx.Conn) error) error {
	return e.s.writeArtifact(ctx, fn)
}
func (e eventScope) WriteSingle(ctx context.Context, fn func(c sqlx.Conn) error) error {
	return e.s.writeSingle(ctx, fn)
}

func (s *tenantScope) Hooks() store.Hooks           { return eventrows.NewHooks(eventScope{s}, s.db.sealer) }
func (s *tenantScope) Deliveries() store.Deliveries { return eventrows.NewDeliveries(eventScope{s}) }
func (s *tenantScope) Logs() store.Logs             { return eventrows.NewLogs(eventScope{s}) }
func (s *tenantScope) ConsoleSessions() store.ConsoleSessions {
	return consolerows.New(eventScope{s})
}
func (s *tenantScope) Sentinel() store.Sentinel { return sentinelrows.New(eventScope{s}) }
func (s *tenantScope) Connectors() store.Connectors {
	return connectorrows.New(eventScope{s}, s.db.sealer)
}

// ClaimDeliveries claims due deliveries of every tenant in one write transaction.
func (d *DB) ClaimDeliveries(ctx context.Context, now, leaseUntil int64, limit int) (out []model.Delivery, err error) {
	err = sqlx.WithTx(ctx, d.write, func(tx *sql.Tx) (err error) {
		out, err = eventrows.Claim(ctx, sqlx.Conn{Postgres: d.postgres(), Runner: tx}, now, leaseUntil, limit)
		return err
	})
	return out, err
}

// PendingDeliveries counts pending deliveries of every tenant.
func (d *DB) PendingDeliveries(ctx context.Context) (int, error) {
	return eventrows.PendingCount(ctx, d.readConn())
}
