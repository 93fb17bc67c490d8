package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
)

// countCap is where a capped count stops (Logto's LOGS_COUNT_CAP in queries/log.ts).
const countCap = 10_000

// ListLogs is GET /api/logs and GET /api/users/:id/logs: a page of entries, newest first, their
// total and whether the total was capped.
func (a *Audit) ListLogs(ctx context.Context, tenantID string, q model.LogQuery) ([]model.Log, int, bool, error) {
	logs := a.core.Store().Tenant(tenantID).Logs()
	capAt := 0
	if q.Capped {
		capAt = countCap
	}
	total, capped, err := logs.Count(ctx, q.Filter, capAt)
	if err != nil {
		return nil, 0, false, fmt.Errorf("count logs: %w", err)
	}
	page, err := logs.List(ctx, q.Filter, q.Page)
	if err != nil {
		return nil, 0, false, fmt.Errorf("list logs: %w", err)
	}
	return core.NonNil(page), total, capped, nil
}

// GetLog returns one entry (404 entity.not_exists_with_id, as Logto's findLogById).
func (a *Audit) GetLog(ctx context.Context, tenantID, id string) (model.Log, error) {
	l, err := a.core.Store().Tenant(tenantID).Logs().Get(ctx, id)
	if err != nil {
		return model.Log{}, core.MapStoreErr(err, core.TableLogs, id)
	}
	return l, nil
}

// DeleteOldLogs removes, in every tenant, the entries older than before (retention). It
// returns how many went.
func (a *Audit) DeleteOldLogs(ctx context.Context, before time.Time) (int64, error) {
	tenants, err := a.core.Store().Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("list tenants: %w", err)
	}
	var n int64
	for _, t := range tenants {
		d, err := a.core.Store().Tenant(t.ID).Logs().DeleteBefore(ctx, before.UnixMilli())
		if err != nil {
			return n, fmt.Errorf("delete old logs of tenant %s: %w", t.ID, err)
		}
		n += d
	}
	return n, nil
}
