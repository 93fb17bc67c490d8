//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package argon2

// allocBlocks takes the blocks from the Go heap where no anonymous mapping is available.
func allocBlocks(n int) ([]byte, []block) {
	return nil, make([]block, n)
}

func freeBlocks([]byte) {}
