package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
)

// storeProbe is the readiness of a node: its database answers, and its schema has every
// migration this binary knows (another node's newer binary may have migrated further, which is
// fine; an older schema is not).
type storeProbe struct{ st store.Store }

func (p storeProbe) Ready(ctx context.Context) error {
	if err := p.st.Ping(ctx); err != nil {
		return errors.New("the database does not answer")
	}
	db, ok := p.st.(interface{ SQL() *sql.DB })
	if !ok {
		return nil
	}
	pending, err := migrations.Pending(ctx, db.SQL(), p.st.Dialect())
	if err != nil {
		return errors.New("the database's migrations cannot be read")
	}
	if pending > 0 {
		return fmt.Errorf("%d database migrations are pending", pending)
	}
	return nil
}
