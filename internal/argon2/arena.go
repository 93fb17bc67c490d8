package argon2

// Arena is the memory Key works in, kept between calls: the first call maps it, later calls
// with the same or smaller parameters reuse it, and Release gives it back to the operating
// system. Where the platform allows (see arena_mmap.go) it lives outside the Go heap, so the
// collector neither scans it nor counts it when sizing the heap. The zero Arena is ready to use;
// it is not safe for concurrent use.
type Arena struct {
	mem    []block
	mapped []byte // the mapping behind mem, when mem lives outside the heap
}

// blocks returns n blocks of the arena's memory, growing it when it holds fewer. Their contents
// are whatever the last call left: Key writes every block before reading it.
func (a *Arena) blocks(n int) []block {
	if len(a.mem) >= n {
		return a.mem[:n]
	}
	a.Release()
	a.mapped, a.mem = allocBlocks(n)
	return a.mem
}

// Held reports the bytes the arena holds now.
func (a *Arena) Held() int { return len(a.mem) * blockBytes }

// Release returns the arena's memory; the next Key call allocates it again.
func (a *Arena) Release() {
	if a.mem == nil {
		return
	}
	freeBlocks(a.mapped)
	a.mapped, a.mem = nil, nil
}
