package sim

// recordLog is a disk's log of records. A busy simulated server appends
// hundreds of thousands of them, so they are kept in fixed chunks that are
// never moved once allocated (a growing slice would copy the whole log at
// every growth), and their bytes are copied into append-only buffers
// instead of one allocation per record. A record names its bytes by
// buffer and offset rather than by a slice, so the chunks hold no
// pointers: the garbage collector never scans them, however long the log.
// Buffer bytes are never overwritten: a record removed by a truncation
// (the ghost a crash may bring back) keeps its data.
type recordLog struct {
	chunks [][]diskRecord // all full except the last
	n      int
	bufs   [][]byte // the arenas, and records too large for one
	arena  int      // index in bufs of the arena being filled, -1 if none
}

// diskRecord is one log record: its bytes are bufs[buf][off:off+n].
type diskRecord struct {
	buf, off, n int32
	sum         uint32
	op          uint64 // the disk operation that wrote it
}

const (
	logChunk   = 1024     // records per chunk
	arenaChunk = 64 << 10 // bytes per arena at most; larger records get their own
	arenaFirst = 1 << 10  // bytes of the first arena: they double up to arenaChunk
)

func newRecordLog() recordLog { return recordLog{arena: -1} }

func (l *recordLog) len() int { return l.n }

// at is record i; i < len.
func (l *recordLog) at(i int) *diskRecord { return &l.chunks[i/logChunk][i%logChunk] }

// data is r's bytes. They must not be modified.
func (l *recordLog) data(r *diskRecord) []byte {
	return l.bufs[r.buf][r.off : r.off+r.n : r.off+r.n]
}

// push appends r.
func (l *recordLog) push(r diskRecord) {
	if l.n%logChunk == 0 && l.n/logChunk == len(l.chunks) {
		l.chunks = append(l.chunks, make([]diskRecord, 0, logChunk))
	}
	c := &l.chunks[l.n/logChunk]
	*c = append(*c, r)
	l.n++
}

// store copies data into the log's buffers and points r at the copy.
func (l *recordLog) store(r *diskRecord, data []byte) {
	if len(data) > arenaChunk/4 {
		r.buf, r.off, r.n = int32(len(l.bufs)), 0, int32(len(data))
		l.bufs = append(l.bufs, append([]byte(nil), data...))
		return
	}
	if l.arena < 0 || cap(l.bufs[l.arena])-len(l.bufs[l.arena]) < len(data) {
		size := arenaFirst
		if l.arena >= 0 {
			size = min(2*cap(l.bufs[l.arena]), arenaChunk)
		}
		l.arena = len(l.bufs)
		l.bufs = append(l.bufs, make([]byte, 0, max(size, len(data))))
	}
	a := &l.bufs[l.arena]
	r.buf, r.off, r.n = int32(l.arena), int32(len(*a)), int32(len(data))
	*a = append(*a, data...)
}

// truncate keeps the first n records.
func (l *recordLog) truncate(n int) {
	if n >= l.n {
		return
	}
	k := (n + logChunk - 1) / logChunk // chunks still holding records
	for i := k; i < len(l.chunks); i++ {
		l.chunks[i] = l.chunks[i][:0]
	}
	if k > 0 {
		c := &l.chunks[k-1]
		*c = (*c)[:n-(k-1)*logChunk]
	}
	l.n = n
}

// slice copies records [from, to).
func (l *recordLog) slice(from, to int) []diskRecord {
	out := make([]diskRecord, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, *l.at(i))
	}
	return out
}
