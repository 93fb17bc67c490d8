package argon2

// filler computes the segments of RFC 9106 §3.2 steps 5 and 6 over one memory.
type filler struct {
	mem []block
	geometry
	variant Variant
	passes  uint32
	scratch block // compress's working space
}

// addressesPerBlock is how many reference positions one address block yields (§3.4.1.2).
const addressesPerBlock = blockWords

// segment fills the SL blocks of one lane in one slice of one pass. Lanes of one slice only
// read each other's finished slices, so computing them one after another gives the result of
// computing them in parallel.
func (f *filler) segment(pass, slice, lane uint32) {
	independent := f.variant == I || (f.variant == ID && pass == 0 && slice < 2)
	var addrs addressStream
	if independent {
		addrs.start(pass, lane, slice, uint32(len(f.mem)), f.passes, f.variant)
	}
	first := uint32(0)
	if pass == 0 && slice == 0 {
		first = 2 // columns 0 and 1 came from H_0
	}
	laneStart := lane * f.laneLen
	col := slice*f.segLen + first
	prev := laneStart + col - 1
	if col == 0 {
		prev = laneStart + f.laneLen - 1 // the lane wraps around after the first pass
	}
	for index := first; index < f.segLen; index, col = index+1, col+1 {
		var pseudoRand uint64
		if independent {
			pseudoRand = addrs.next(index, &f.scratch)
		} else {
			pseudoRand = f.mem[prev][0]
		}
		refLane := uint32(pseudoRand>>32) % f.lanes
		if pass == 0 && slice == 0 {
			refLane = lane
		}
		ref := refLane*f.laneLen + f.refColumn(pass, slice, index, uint32(pseudoRand), refLane == lane)
		cur := laneStart + col
		// From the second pass on, version 0x13 XORs the new block into the old one (§3.2 step 6).
		compress(&f.mem[cur], &f.mem[prev], &f.mem[ref], pass > 0, &f.scratch)
		prev = cur
	}
}

// refColumn maps J_1 to a column of the reference lane (RFC 9106 §3.4.2): only blocks already
// finished and not the one just computed are eligible, and J_1 is squared so recent blocks are
// chosen more often.
func (f *filler) refColumn(pass, slice, index, j1 uint32, sameLane bool) uint32 {
	var area uint64 // |W|, the number of eligible blocks
	switch {
	case pass == 0 && sameLane:
		area = uint64(slice*f.segLen + index - 1)
	case pass == 0:
		area = uint64(slice * f.segLen)
	case sameLane:
		area = uint64(f.laneLen - f.segLen + index - 1)
	default:
		area = uint64(f.laneLen - f.segLen)
	}
	if !sameLane && index == 0 {
		area-- // the other lane's block before this one's position is still being written
	}
	x := uint64(j1) * uint64(j1) >> 32
	y := area * x >> 32
	rel := area - 1 - y
	start := uint64(0)
	if pass > 0 && slice < 3 {
		start = uint64((slice + 1) * f.segLen)
	}
	return uint32((start + rel) % uint64(f.laneLen))
}

// addressStream yields the data-independent J_1 || J_2 values of §3.4.1.2: address block i is
// G(0, G(0, Z)) with Z = (r, l, s, m', t, y, i, 0, ...), and each of its 128 words serves one
// block of the segment.
type addressStream struct {
	input, addresses block
}

func (a *addressStream) start(pass, lane, slice, totalBlocks, passes uint32, v Variant) {
	a.input = block{}
	for i, w := range []uint32{pass, lane, slice, totalBlocks, passes, uint32(v)} {
		a.input[i] = uint64(w)
	}
}

func (a *addressStream) next(index uint32, scratch *block) uint64 {
	if index%addressesPerBlock == 0 || a.input[6] == 0 {
		// The counter of the block holding this index; it starts at 1 (§3.4.1.2).
		a.input[6] = uint64(index/addressesPerBlock) + 1
		var zero, tmp block
		compress(&tmp, &zero, &a.input, false, scratch)
		compress(&a.addresses, &zero, &tmp, false, scratch)
	}
	return a.addresses[index%addressesPerBlock]
}
