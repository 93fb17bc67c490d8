package argon2

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/blake2b"
)

// Variant is the type y of RFC 9106 §3.2: how reference blocks are chosen.
type Variant uint32

const (
	// D picks reference blocks from the memory's contents (fast, not side-channel safe).
	D Variant = 0
	// I picks them from a counter only (side-channel safe; Logto's default, argon2i).
	I Variant = 1
	// ID is I for the first half of the first pass and D after it (RFC 9106's recommendation).
	ID Variant = 2
)

// version is the only Argon2 version computed here: 0x13, the "v=19" of PHC strings.
const version = 0x13

// Params are the inputs of RFC 9106 §3.1 other than the password and salt.
type Params struct {
	Variant   Variant
	Time      uint32 // t: passes over the memory, at least 1
	MemoryKiB uint32 // m: KiB of memory, at least 8 per lane
	Lanes     uint32 // p: degree of parallelism, 1 to 2^24-1
	KeyLen    uint32 // T: bytes of output, at least 4
	// Secret (K) and AssociatedData (X) are optional; password storage leaves them empty.
	Secret, AssociatedData []byte
}

// ErrParams means Params are outside RFC 9106 §3.1's ranges.
var ErrParams = errors.New("argon2: invalid parameters")

func (p Params) check() error {
	switch {
	case p.Variant > ID:
		return fmt.Errorf("%w: unknown variant %d", ErrParams, p.Variant)
	case p.Time < 1:
		return fmt.Errorf("%w: at least one pass is needed", ErrParams)
	case p.Lanes < 1 || p.Lanes > 1<<24-1:
		return fmt.Errorf("%w: %d lanes (1 to 2^24-1)", ErrParams, p.Lanes)
	case uint64(p.MemoryKiB) < 8*uint64(p.Lanes):
		return fmt.Errorf("%w: %d KiB is under 8 KiB per lane", ErrParams, p.MemoryKiB)
	case p.KeyLen < 4:
		return fmt.Errorf("%w: a key of %d bytes (at least 4)", ErrParams, p.KeyLen)
	}
	return nil
}

// geometry is the memory's shape (RFC 9106 §3.2 steps 2 and 5): m' blocks in p lanes of q
// columns, each lane cut into four segments of SL blocks, one per slice.
type geometry struct {
	lanes, laneLen, segLen uint32
}

func (g geometry) blocks() int { return int(g.lanes) * int(g.laneLen) }

func geometryOf(p Params) geometry {
	segLen := p.MemoryKiB / (4 * p.Lanes)
	return geometry{lanes: p.Lanes, laneLen: 4 * segLen, segLen: segLen}
}

// Key derives p.KeyLen bytes from password and salt, working in arena's memory (which it grows
// when p needs more than the arena holds). An arena serves one Key call at a time. The only
// error is ErrParams.
func Key(arena *Arena, password, salt []byte, p Params) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	g := geometryOf(p)
	mem := arena.blocks(g.blocks())
	h0 := initialHash(password, salt, p)
	firstBlocks(mem, g, &h0)
	f := filler{mem: mem, geometry: g, variant: p.Variant, passes: p.Time}
	for pass := range p.Time {
		for slice := range uint32(4) {
			for lane := range g.lanes {
				f.segment(pass, slice, lane)
			}
		}
	}
	return finalize(mem, g, p.KeyLen), nil
}

// initialHash is H_0 of RFC 9106 §3.2 step 1, with 8 spare bytes for the column and lane
// numbers appended in step 3.
func initialHash(password, salt []byte, p Params) [blake2b.Size + 8]byte {
	h, _ := blake2b.New512(nil) // only a key longer than 64 bytes is refused
	var word [4]byte
	putWord := func(v uint32) {
		binary.LittleEndian.PutUint32(word[:], v)
		h.Write(word[:])
	}
	for _, v := range []uint32{p.Lanes, p.KeyLen, p.MemoryKiB, p.Time, version, uint32(p.Variant)} {
		putWord(v)
	}
	for _, field := range [][]byte{password, salt, p.Secret, p.AssociatedData} {
		putWord(uint32(len(field)))
		h.Write(field)
	}
	var out [blake2b.Size + 8]byte
	h.Sum(out[:0])
	return out
}

// firstBlocks fills columns 0 and 1 of every lane (RFC 9106 §3.2 steps 3 and 4):
// B[i][j] = H'^(1024)(H_0 || LE32(j) || LE32(i)).
func firstBlocks(mem []block, g geometry, h0 *[blake2b.Size + 8]byte) {
	var buf [blockBytes]byte
	for lane := range g.lanes {
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)
		for col := range uint32(2) {
			binary.LittleEndian.PutUint32(h0[blake2b.Size:], col)
			longHash(buf[:], h0[:])
			mem[lane*g.laneLen+col].load(&buf)
		}
	}
}

// finalize XORs the last column of every lane and hashes it to the tag (RFC 9106 §3.2 steps 7
// and 8).
func finalize(mem []block, g geometry, keyLen uint32) []byte {
	c := mem[g.laneLen-1]
	for lane := uint32(1); lane < g.lanes; lane++ {
		c.xor(&mem[lane*g.laneLen+g.laneLen-1])
	}
	var buf [blockBytes]byte
	c.store(&buf)
	out := make([]byte, keyLen)
	longHash(out, buf[:])
	return out
}

// longHash is the variable-length hash H' of RFC 9106 §3.3: BLAKE2b of LE32(T) || in when T is
// at most 64 bytes; otherwise a chain of BLAKE2b-512 whose first halves are the output, ended by
// one BLAKE2b of the remaining length.
func longHash(out, in []byte) {
	var prefix [4]byte
	binary.LittleEndian.PutUint32(prefix[:], uint32(len(out)))
	if len(out) <= blake2b.Size {
		h, _ := blake2b.New(len(out), nil) // sizes 1 to 64 are valid
		h.Write(prefix[:])
		h.Write(in)
		copy(out, h.Sum(nil))
		return
	}
	h, _ := blake2b.New512(nil)
	h.Write(prefix[:])
	h.Write(in)
	v := h.Sum(nil)
	copy(out, v[:32])
	pos := 32
	for len(out)-pos > blake2b.Size {
		sum := blake2b.Sum512(v)
		v = sum[:]
		copy(out[pos:], v[:32])
		pos += 32
	}
	last, _ := blake2b.New(len(out)-pos, nil)
	last.Write(v)
	copy(out[pos:], last.Sum(nil))
}
