package storetest

import (
	"fmt"
	"sync"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testConcurrency(t *testing.T, open fx.Open) {
	t.Run("concurrent writes all succeed", func(t *testing.T) {
		f := newFixture(t, open)
		const writers = 20
		errs := make(chan error, 3*writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				tn := f.A
				if i%2 == 1 {
					tn = f.B
				}
				errs <- tn.Roles().Create(f.Ctx, model.Role{ID: fmt.Sprintf("role-%02d", i), Name: fmt.Sprintf("Role %02d", i), Type: model.RoleUser})
				errs <- tn.Configs().Put(f.Ctx, fmt.Sprintf("key-%02d", i), []byte(`{"n":1}`))
				errs <- f.St.InTx(f.Ctx, tn.ID(), func(tx store.Tenant) error {
					return tx.Roles().Update(f.Ctx, model.Role{ID: fmt.Sprintf("role-%02d", i), Name: fmt.Sprintf("Renamed %02d", i), Description: "tx"})
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			fx.MustOK(t, err, "concurrent write")
		}
		for _, tn := range []store.Tenant{f.A, f.B} {
			roles, total, err := tn.Roles().List(f.Ctx, store.RoleFilter{Search: "Renamed"}, store.Page{})
			fx.MustOK(t, err, "List")
			fx.WantEqual(t, total, writers/2, "renamed roles in "+tn.ID())
			fx.WantEqual(t, len(roles), writers/2, "listed roles in "+tn.ID())
		}
	})

	t.Run("concurrent conflicting creates: exactly one wins", func(t *testing.T) {
		f := newFixture(t, open)
		const writers = 10
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				errs <- f.A.Roles().Create(f.Ctx, model.Role{ID: fmt.Sprintf("r%d", i), Name: "contested", Type: model.RoleUser})
			})
		}
		wg.Wait()
		close(errs)
		wins := 0
		for err := range errs {
			if err == nil {
				wins++
				continue
			}
			fx.WantConflict(t, err, store.UniqueRoleName, "losing create")
		}
		fx.WantEqual(t, wins, 1, "successful creates")
	})

	t.Run("reads run alongside writes", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Hot")
		res := f.NewResource(f.A, "https://hot")
		const workers = 8
		errs := make(chan error, workers*20)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range 10 {
					if w%2 == 0 {
						_, err := f.A.Applications().Get(f.Ctx, app.ID)
						errs <- err
						_, err = f.A.Resources().GetByIndicator(f.Ctx, res.Indicator)
						errs <- err
					} else {
						errs <- f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: fmt.Sprintf("s-%d-%d", w, i), Value: "v", CreatedAt: int64(i)})
						_, err := f.A.Secrets().List(f.Ctx, app.ID)
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			fx.MustOK(t, err, "concurrent read or write")
		}
		secrets, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, len(secrets), workers/2*10, "secrets written")
	})
}
