package linefake

import (
	"crypto/rand"
	"sync"
	"time"
)

// crockford is Crockford's base32 alphabet, used by ULIDs.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidGen makes ULIDs that are strictly increasing within the process,
// even within one millisecond (monotonic random part).
type ulidGen struct {
	mu   sync.Mutex
	ms   uint64
	rand [10]byte
}

var ulids ulidGen

// newULID returns a fresh 26-character ULID for time t.
func newULID(t time.Time) string {
	return ulids.next(uint64(t.UnixMilli()))
}

// next returns the ULID for millisecond ms, never going backwards.
func (g *ulidGen) next(ms uint64) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ms <= g.ms {
		ms = g.ms
		for i := len(g.rand) - 1; i >= 0; i-- { // increment the random part
			g.rand[i]++
			if g.rand[i] != 0 {
				break
			}
		}
	} else {
		g.ms = ms
		_, _ = rand.Read(g.rand[:])
		g.rand[0] &= 0x7f // leave room to increment without overflow
	}
	var b [16]byte
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	copy(b[6:], g.rand[:])
	return encodeULID(b)
}

// encodeULID encodes 128 bits as 26 Crockford base32 characters (the first
// carries only 3 bits).
func encodeULID(b [16]byte) string {
	var out [26]byte
	// Treat b as a 130-bit big-endian number with two leading zero bits.
	bit := -2
	for i := range out {
		var v byte
		for j := 0; j < 5; j++ {
			v <<= 1
			if bit >= 0 && b[bit/8]&(0x80>>(bit%8)) != 0 {
				v |= 1
			}
			bit++
		}
		out[i] = crockford[v]
	}
	return string(out[:])
}
