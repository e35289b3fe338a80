package storage

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
)

// A record on disk is a 16-byte header, the payload, and zero padding to a
// multiple of 8 bytes:
//
//	0  uint32 payload length (little endian)
//	4  uint32 CRC-32C of the length, the index and the payload
//	8  uint64 the record's index in the log
//
// The index makes a record valid only at its place in the log, so a stray
// copy cannot pass for the next record. An all-zero header is never valid
// (the checksum of zeros is not zero), so the zeros of preallocated space
// end the data. Alignment keeps the scan for valid records after a bad
// one, which tells corruption from a torn tail, to one candidate per 8
// bytes.
const (
	headerSize = 16
	align      = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordSize is the bytes a record of an n-byte payload takes on disk.
func recordSize(n int) int { return headerSize + (n+align-1)&^(align-1) }

func checksum(header, payload []byte) uint32 {
	c := crc32.Update(0, castagnoli, header[0:4])
	c = crc32.Update(c, castagnoli, header[8:16])
	return crc32.Update(c, castagnoli, payload)
}

// appendRecord appends the encoding of payload as record index to dst.
func appendRecord(dst []byte, index uint64, payload []byte) []byte {
	start := len(dst)
	dst = slices.Grow(dst, recordSize(len(payload)))[:start+recordSize(len(payload))]
	r := dst[start:]
	binary.LittleEndian.PutUint32(r[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint64(r[8:], index)
	n := copy(r[headerSize:], payload)
	// Grow may hand back memory a flushed buffer used before.
	clear(r[headerSize+n:])
	binary.LittleEndian.PutUint32(r[4:], checksum(r, payload))
	return dst
}

// parseRecord reads the record at the start of b if it is valid, has a
// payload of at most max bytes and an index in [lo, hi]; it returns the
// payload (aliasing b), the index and the record's size on disk. The
// cheap checks come before the checksum so that scanning garbage costs
// little.
func parseRecord(b []byte, max int, lo, hi uint64) (payload []byte, index uint64, size int, ok bool) {
	if len(b) < headerSize {
		return nil, 0, 0, false
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(max) {
		return nil, 0, 0, false
	}
	size = recordSize(int(n))
	index = binary.LittleEndian.Uint64(b[8:])
	if size > len(b) || index < lo || index > hi {
		return nil, 0, 0, false
	}
	payload = b[headerSize : headerSize+int(n)]
	if checksum(b, payload) != binary.LittleEndian.Uint32(b[4:]) || !allZero(b[headerSize+int(n):size]) {
		return nil, 0, 0, false
	}
	return payload, index, size, true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// segmentScan is what decodeSegment found in one segment's bytes.
type segmentScan struct {
	records [][]byte // payloads, aliasing the segment's bytes
	offsets []int64  // where each record starts
	end     int64    // just past the last valid record
	// damaged: the bytes from end on are not all zero, so a record there
	// was torn or corrupted.
	damaged bool
	// validAfter is the offset of a valid record at or after end, or -1.
	// Data written after the bad record at end survived, so the bad
	// record is corruption, not an unfinished write.
	validAfter int64
}

// decodeSegment reads the records of a segment whose first record has
// index first, stopping at the first that is not valid, and then looks at
// the rest of b to tell a clean end from a torn tail from corruption.
func decodeSegment(b []byte, first uint64, max int) segmentScan {
	sc := segmentScan{validAfter: -1}
	off := 0
	next := first
	for {
		p, _, size, ok := parseRecord(b[off:], max, next, next)
		if !ok {
			break
		}
		sc.records = append(sc.records, p)
		sc.offsets = append(sc.offsets, int64(off))
		off += size
		next++
	}
	sc.end = int64(off)
	// No record is smaller than a header, so later records have indexes
	// below this bound; it keeps garbage from passing the cheap checks.
	hi := next + uint64(len(b)-off)/headerSize
	for q := off; q < len(b); q += align {
		w := b[q:min(q+align, len(b))]
		if allZero(w) {
			continue
		}
		sc.damaged = true
		if _, _, _, ok := parseRecord(b[q:], max, next, hi); ok {
			sc.validAfter = int64(q)
			break
		}
	}
	return sc
}
