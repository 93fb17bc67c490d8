//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package argon2

import (
	"syscall"
	"unsafe"
)

// allocBlocks maps n blocks of private anonymous memory. The kernel hands out zeroed pages on
// first touch, and freeBlocks returns them at once, which a Go heap allocation of the same size
// would only do after the collector and the scavenger have both run. Where the kernel refuses
// the mapping (a tight RLIMIT_AS), the heap serves instead, as on other systems.
func allocBlocks(n int) ([]byte, []block) {
	mapped, err := syscall.Mmap(-1, 0, n*blockBytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, make([]block, n)
	}
	// The mapping is page-aligned and blocks hold no pointers, so viewing it as blocks is sound.
	return mapped, unsafe.Slice((*block)(unsafe.Pointer(unsafe.SliceData(mapped))), n)
}

func freeBlocks(mapped []byte) {
	if mapped != nil {
		// Munmap fails only for a range that is not a mapping, which ours always is.
		_ = syscall.Munmap(mapped)
	}
}
