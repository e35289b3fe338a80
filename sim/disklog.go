package sim

// recordLog is a disk's log of records. A busy simulated server appends
// hundreds of thousands of them, so they are kept in fixed chunks that are
// never moved once allocated (a growing slice would copy the whole log at
// every growth), and their bytes are copied into append-only arenas
// instead of one allocation per record. Arena bytes are never overwritten:
// a record removed by a truncation (the ghost a crash may bring back)
// keeps its data.
type recordLog struct {
	chunks [][]diskRecord // all full except the last
	n      int
	arena  []byte
}

const (
	logChunk   = 1024     // records per chunk
	arenaChunk = 64 << 10 // bytes per arena at most; larger records get their own
	arenaFirst = 1 << 10  // bytes of the first arena: they double up to arenaChunk
)

func (l *recordLog) len() int { return l.n }

// at is record i; i < len.
func (l *recordLog) at(i int) *diskRecord { return &l.chunks[i/logChunk][i%logChunk] }

// push appends r, whose data the log owns from now on.
func (l *recordLog) push(r diskRecord) {
	if l.n%logChunk == 0 && l.n/logChunk == len(l.chunks) {
		l.chunks = append(l.chunks, make([]diskRecord, 0, logChunk))
	}
	c := &l.chunks[l.n/logChunk]
	*c = append(*c, r)
	l.n++
}

// copyData returns a copy of data in the log's arena.
func (l *recordLog) copyData(data []byte) []byte {
	if len(data) > arenaChunk/4 {
		return append([]byte(nil), data...)
	}
	if cap(l.arena)-len(l.arena) < len(data) {
		l.arena = make([]byte, 0, min(max(2*cap(l.arena), arenaFirst, len(data)), arenaChunk))
	}
	from := len(l.arena)
	l.arena = append(l.arena, data...)
	return l.arena[from:len(l.arena):len(l.arena)]
}

// truncate keeps the first n records.
func (l *recordLog) truncate(n int) {
	if n >= l.n {
		return
	}
	k := (n + logChunk - 1) / logChunk // chunks still holding records
	for i := k; i < len(l.chunks); i++ {
		clear(l.chunks[i])
		l.chunks[i] = l.chunks[i][:0]
	}
	if k > 0 {
		c := &l.chunks[k-1]
		keep := n - (k-1)*logChunk
		clear((*c)[keep:])
		*c = (*c)[:keep]
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
