package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testConcurrency(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("concurrent writes all succeed", func(t *testing.T) {
		f := newFixture(t, open)
		const writers = 20
		errs := make(chan error, 3*writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				tn := f.a
				if i%2 == 1 {
					tn = f.b
				}
				errs <- tn.Roles().Create(f.ctx, model.Role{ID: fmt.Sprintf("role-%02d", i), Name: fmt.Sprintf("Role %02d", i), Type: model.RoleUser})
				errs <- tn.Configs().Put(f.ctx, fmt.Sprintf("key-%02d", i), []byte(`{"n":1}`))
				errs <- f.st.InTx(f.ctx, tn.ID(), func(tx store.Tenant) error {
					return tx.Roles().Update(f.ctx, model.Role{ID: fmt.Sprintf("role-%02d", i), Name: fmt.Sprintf("Renamed %02d", i), Description: "tx"})
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			mustOK(t, err, "concurrent write")
		}
		for _, tn := range []store.Tenant{f.a, f.b} {
			roles, total, err := tn.Roles().List(f.ctx, store.RoleFilter{Search: "Renamed"}, store.Page{})
			mustOK(t, err, "List")
			wantEqual(t, total, writers/2, "renamed roles in "+tn.ID())
			wantEqual(t, len(roles), writers/2, "listed roles in "+tn.ID())
		}
	})

	t.Run("concurrent conflicting creates: exactly one wins", func(t *testing.T) {
		f := newFixture(t, open)
		const writers = 10
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				errs <- f.a.Roles().Create(f.ctx, model.Role{ID: fmt.Sprintf("r%d", i), Name: "contested", Type: model.RoleUser})
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
			wantConflict(t, err, store.UniqueRoleName, "losing create")
		}
		wantEqual(t, wins, 1, "successful creates")
	})

	t.Run("reads run alongside writes", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Hot")
		res := f.newResource(f.a, "https://hot")
		const workers = 8
		errs := make(chan error, workers*20)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range 10 {
					if w%2 == 0 {
						_, err := f.a.Applications().Get(f.ctx, app.ID)
						errs <- err
						_, err = f.a.Resources().GetByIndicator(f.ctx, res.Indicator)
						errs <- err
					} else {
						errs <- f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: fmt.Sprintf("s-%d-%d", w, i), Value: "v", CreatedAt: int64(i)})
						_, err := f.a.Secrets().List(f.ctx, app.ID)
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			mustOK(t, err, "concurrent read or write")
		}
		secrets, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, len(secrets), workers/2*10, "secrets written")
	})
}
