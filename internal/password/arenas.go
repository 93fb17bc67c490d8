package password

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/argon2"
)

// arenaPool holds one argon2 arena per call allowed to run at once: taking an arena is taking a
// slot, so the bound on concurrent hashes is also the bound on their memory. Arenas are kept
// while calls keep coming and given back to the system once the hasher has been idle for
// idleRelease: a burst of sign-ins maps its 19 MiB blocks once, and an idle server holds none.
type arenaPool struct {
	free        chan *argon2.Arena
	busy        atomic.Int64 // calls holding or waiting for an arena
	idleRelease time.Duration

	mu    sync.Mutex
	timer *time.Timer // pending release, started when busy last fell to zero
}

func newArenaPool(size int, idleRelease time.Duration) *arenaPool {
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	if idleRelease <= 0 {
		idleRelease = 10 * time.Second
	}
	p := &arenaPool{free: make(chan *argon2.Arena, size), idleRelease: idleRelease}
	for range size {
		p.free <- &argon2.Arena{}
	}
	return p
}

// acquire takes an arena, or gives up when ctx ends first.
func (p *arenaPool) acquire(ctx context.Context) (*argon2.Arena, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.busy.Add(1)
	select {
	case a := <-p.free:
		return a, nil
	case <-ctx.Done():
		p.leave()
		return nil, ctx.Err()
	}
}

func (p *arenaPool) release(a *argon2.Arena) {
	p.free <- a
	p.leave()
}

// leave counts a call out; the last one out starts the idle countdown.
func (p *arenaPool) leave() {
	if p.busy.Add(-1) != 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer == nil {
		p.timer = time.AfterFunc(p.idleRelease, p.releaseIfIdle)
		return
	}
	p.timer.Reset(p.idleRelease)
}

// releaseIfIdle gives every free arena's memory back, unless calls came in since the countdown
// started (the last of them starts it again).
func (p *arenaPool) releaseIfIdle() {
	if p.busy.Load() != 0 {
		return
	}
	taken := make([]*argon2.Arena, 0, cap(p.free))
	defer func() {
		for _, a := range taken {
			p.free <- a
		}
	}()
	for {
		select {
		case a := <-p.free:
			a.Release()
			taken = append(taken, a)
		default:
			return
		}
	}
}

// held is the memory the free arenas hold now; for tests and measurements.
func (p *arenaPool) held() int {
	n := 0
	for range cap(p.free) {
		a := <-p.free
		n += a.Held()
		defer func() { p.free <- a }()
	}
	return n
}
