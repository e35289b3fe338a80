package sim

import (
	"errors"
	"fmt"
	"hash/crc32"
	"sort"
	"time"
)

// Disk errors. ErrCorrupt means data that should be valid is not (a
// checksum mismatch before the tail of the log, or a damaged file); a torn
// final record after a crash is not corruption, only an unfinished write.
var (
	ErrCorrupt  = errors.New("sim: disk data is corrupt")
	ErrNotExist = errors.New("sim: file does not exist")
	ErrDiskFull = errors.New("sim: disk is full")
)

// DiskConfig describes a node's disk.
type DiskConfig struct {
	// WriteMin/WriteMax bound the latency of one write reaching the OS.
	WriteMin, WriteMax time.Duration
	// SyncMin/SyncMax bound the latency of an fsync.
	SyncMin, SyncMax time.Duration
	// KeepUnsynced is the probability that each written but unsynced log
	// record survives a crash; survivors form a prefix, as a reader stops
	// at the first hole. It is also the probability that an unsynced
	// truncation survives.
	KeepUnsynced float64
	// Torn is the probability that the last surviving unsynced record is
	// torn (partly written), which its checksum then reveals.
	Torn float64
	// RecordsMax and RecordBytesMax bound the log.
	RecordsMax     int
	RecordBytesMax int
}

// DefaultDisk is an SSD with a write cache: fast writes, fsync of a few ms.
var DefaultDisk = DiskConfig{
	WriteMin:       5 * time.Microsecond,
	WriteMax:       20 * time.Microsecond,
	SyncMin:        500 * time.Microsecond,
	SyncMax:        2 * time.Millisecond,
	KeepUnsynced:   0.5,
	Torn:           0.1,
	RecordsMax:     1 << 22,
	RecordBytesMax: 8 << 20,
}

// Validate reports a configuration that cannot work.
func (c DiskConfig) Validate() error {
	switch {
	case c.WriteMin < 0 || c.WriteMax < c.WriteMin:
		return fmt.Errorf("sim: disk write latency [%v, %v] is not a valid range", c.WriteMin, c.WriteMax)
	case c.SyncMin < 0 || c.SyncMax < c.SyncMin:
		return fmt.Errorf("sim: disk sync latency [%v, %v] is not a valid range", c.SyncMin, c.SyncMax)
	case c.KeepUnsynced < 0 || c.KeepUnsynced > 1:
		return fmt.Errorf("sim: disk keep-unsynced %v is not a probability", c.KeepUnsynced)
	case c.Torn < 0 || c.Torn > 1:
		return fmt.Errorf("sim: disk torn-write %v is not a probability", c.Torn)
	case c.RecordsMax <= 0 || c.RecordBytesMax <= 0:
		return fmt.Errorf("sim: disk limits must be positive (records %d, bytes %d)", c.RecordsMax, c.RecordBytesMax)
	}
	return nil
}

type diskFile struct {
	data []byte
	sum  uint32
}

// Disk is a node's simulated disk: one append-only log of checksummed
// records and a set of small named files written atomically (as ZooKeeper
// writes its epoch files: temp file, fsync, rename). Operations complete in
// the order issued, each after a drawn latency; what an fsync covers is
// exactly what was issued before it.
type Disk struct {
	n    *Node
	cfg  DiskConfig
	rand *Rand
	log  recordLog
	// onWritten and onSynced are written1 and synced, bound once, so
	// appends and fsyncs allocate no closures.
	onWritten, onSynced func(op uint64, done func())
	// ghost is the durable tail a not-yet-durable truncation removed: a
	// crash may bring it back.
	ghost   []diskRecord
	ghostOp uint64
	// Invariant: records [0, durable) are durable (fsynced), [durable,
	// written) are written (in the OS, lost by a crash unless lucky), and
	// [written, log.len()) are pending; operations complete in issue
	// order, so each state is a contiguous run.
	durable, written int
	files            map[string]diskFile
	ops              uint64 // operations issued
	lastDoneAt       Time   // completion time of the latest issued operation
}

func newDisk(n *Node, cfg DiskConfig) *Disk {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return &Disk{n: n, cfg: cfg, rand: n.s.rand.Fork("disk/" + n.cfg.Name), files: map[string]diskFile{}, log: newRecordLog()}
}

// SetConfig changes latencies and crash behaviour from now on (a slow-disk
// fault, say).
func (d *Disk) SetConfig(cfg DiskConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	d.cfg = cfg
	return nil
}

// Config is the disk's current configuration.
func (d *Disk) Config() DiskConfig { return d.cfg }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// complete schedules fn(op, done) as the completion of a new operation
// op taking latency, after every earlier operation, and returns op. The
// completion is I/O: it happens even while the process is paused, but not
// after a crash.
func (d *Disk) complete(latency time.Duration, fn func(op uint64, done func()), done func()) uint64 {
	d.ops++
	op := d.ops
	at := d.n.s.now.Add(latency)
	if at < d.lastDoneAt {
		at = d.lastDoneAt
	}
	d.lastDoneAt = at
	gen := d.n.gen
	d.n.s.push(event{at: at, kind: kindIO, node: int32(d.n.id), gen: gen, io: fn, fn: done, id: op})
	return op
}

// react schedules the process's reaction to a completed operation as an
// event of its own, so a crash can fall between the two.
func (d *Disk) react(done func()) {
	if done == nil {
		return
	}
	d.n.s.push(event{at: d.n.s.now, kind: kindNode, node: int32(d.n.id), gen: d.n.gen, fn: done})
}

// Append adds a record to the end of the log and returns its index. The
// record is written after a latency and becomes durable only through Sync.
func (d *Disk) Append(data []byte) (int, error) {
	if d.log.len() >= d.cfg.RecordsMax {
		return 0, fmt.Errorf("%w: %d records", ErrDiskFull, d.log.len())
	}
	if len(data) > d.cfg.RecordBytesMax {
		return 0, fmt.Errorf("%w: record of %d bytes exceeds %d", ErrDiskFull, len(data), d.cfg.RecordBytesMax)
	}
	index := d.log.len()
	rec := diskRecord{sum: crc32.Checksum(data, castagnoli)}
	d.log.store(&rec, data)
	if d.onWritten == nil {
		d.onWritten = d.written1
	}
	rec.op = d.complete(d.rand.Between(d.cfg.WriteMin, d.cfg.WriteMax), d.onWritten, nil)
	d.log.push(rec)
	return index, nil
}

// written1 completes the write of one appended record (bound once as
// onWritten, so an append allocates no closure).
func (d *Disk) written1(op uint64, _ func()) {
	if d.written >= d.log.len() || d.log.at(d.written).op != op {
		return // truncated away before it was written
	}
	d.written++
	d.n.s.trace.add(TraceEvent{At: d.n.s.now, Kind: TraceDiskWrite, Node: d.n.id, Peer: -1, ID: op, Info: 1})
}

// Truncate removes every record from index n on. Like an append, the
// removal is durable only once a later Sync completes.
func (d *Disk) Truncate(n int) {
	if n < 0 || n > d.log.len() {
		panic(fmt.Sprintf("sim: Truncate(%d) of a log of %d records", n, d.log.len()))
	}
	op := d.complete(d.rand.Between(d.cfg.WriteMin, d.cfg.WriteMax), func(uint64, func()) {}, nil)
	if n < d.durable {
		removed := d.log.slice(n, d.durable)
		d.ghost = append(removed, d.ghost...)
		d.ghostOp = op
	}
	d.log.truncate(n)
	d.written = min(d.written, n)
	d.durable = min(d.durable, n)
}

// Sync makes every operation issued before it durable, then calls done as
// a separate event (the process's reaction can be cut off by a crash).
func (d *Disk) Sync(done func()) {
	if d.onSynced == nil {
		d.onSynced = d.synced
	}
	d.complete(d.rand.Between(d.cfg.SyncMin, d.cfg.SyncMax), d.onSynced, done)
}

// synced completes fsync op.
func (d *Disk) synced(op uint64, done func()) {
	made := 0
	for d.durable < d.written && d.log.at(d.durable).op < op {
		d.durable++
		made++
	}
	if d.durable < d.log.len() && d.log.at(d.durable).op < op {
		panic("sim: fsync completed before an earlier write")
	}
	if d.ghostOp != 0 && d.ghostOp < op {
		d.ghost, d.ghostOp = nil, 0
	}
	d.n.s.trace.add(TraceEvent{At: d.n.s.now, Kind: TraceDiskSync, Node: d.n.id, Peer: -1, ID: op, Info: uint64(made)})
	d.react(done)
}

// WriteFile replaces a named file atomically and durably (temp file, fsync,
// rename): until done runs, a crash leaves the old content.
func (d *Disk) WriteFile(name string, data []byte, done func()) {
	f := diskFile{data: append([]byte(nil), data...), sum: crc32.Checksum(data, castagnoli)}
	latency := d.rand.Between(d.cfg.WriteMin, d.cfg.WriteMax) + d.rand.Between(d.cfg.SyncMin, d.cfg.SyncMax)
	d.complete(latency, func(op uint64, done func()) {
		d.files[name] = f
		d.n.s.trace.add(TraceEvent{At: d.n.s.now, Kind: TraceDiskSync, Node: d.n.id, Peer: -1, ID: op, Text: "file " + name})
		d.react(done)
	}, done)
}

// RemoveFile deletes a named file durably.
func (d *Disk) RemoveFile(name string, done func()) {
	d.complete(d.rand.Between(d.cfg.SyncMin, d.cfg.SyncMax), func(op uint64, done func()) {
		delete(d.files, name)
		d.n.s.trace.add(TraceEvent{At: d.n.s.now, Kind: TraceDiskSync, Node: d.n.id, Peer: -1, ID: op, Text: "remove " + name})
		d.react(done)
	}, done)
}

// ReadFile returns a copy of a named file's durable content.
func (d *Disk) ReadFile(name string) ([]byte, error) {
	f, ok := d.files[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, name)
	}
	if crc32.Checksum(f.data, castagnoli) != f.sum {
		return nil, fmt.Errorf("%w: file %s fails its checksum", ErrCorrupt, name)
	}
	return append([]byte(nil), f.data...), nil
}

// Files lists the named files in sorted order.
func (d *Disk) Files() []string {
	names := make([]string, 0, len(d.files))
	for name := range d.files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Len is the number of records in the log as the process last left it.
func (d *Disk) Len() int { return d.log.len() }

// DurableLen is the number of records that an fsync has made durable.
func (d *Disk) DurableLen() int { return d.durable }

// Recovery says what Load found.
type Recovery struct {
	Records  int  // valid records returned
	TornTail bool // the last record was torn and has been truncated
}

// Load reads the log back, verifying every checksum, as a restarting node
// does. A torn last record is an unfinished write: it is truncated and
// reported. An invalid record with valid ones after it is corruption:
// Load returns ErrCorrupt naming it and never returns it as valid.
func (d *Disk) Load() ([][]byte, Recovery, error) {
	n := d.log.len()
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		r := d.log.at(i)
		if data := d.log.data(r); crc32.Checksum(data, castagnoli) == r.sum {
			out = append(out, append([]byte(nil), data...))
			continue
		}
		if i == n-1 {
			d.log.truncate(i)
			d.written = min(d.written, i)
			d.durable = min(d.durable, i)
			return out, Recovery{Records: len(out), TornTail: true}, nil
		}
		return out, Recovery{Records: len(out)}, fmt.Errorf("%w: log record %d of %d fails its checksum", ErrCorrupt, i, n)
	}
	return out, Recovery{Records: len(out)}, nil
}

// Corrupt flips one bit of log record i (a disk fault). It returns false
// if there is no such record.
func (d *Disk) Corrupt(i int) bool {
	if i < 0 || i >= d.log.len() || d.log.at(i).n == 0 {
		return false
	}
	r := d.log.at(i)
	data := append([]byte(nil), d.log.data(r)...)
	bit := d.rand.IntN(len(data) * 8)
	data[bit/8] ^= 1 << (bit % 8)
	d.log.store(r, data)
	d.n.s.Note(TraceFault, d.n.id, fmt.Sprintf("corrupt record %d", i))
	return true
}

// CorruptFile flips one bit of a named file; false if it does not exist or
// is empty.
func (d *Disk) CorruptFile(name string) bool {
	f, ok := d.files[name]
	if !ok || len(f.data) == 0 {
		return false
	}
	data := append([]byte(nil), f.data...)
	bit := d.rand.IntN(len(data) * 8)
	data[bit/8] ^= 1 << (bit % 8)
	d.files[name] = diskFile{data: data, sum: f.sum}
	d.n.s.Note(TraceFault, d.n.id, "corrupt file "+name)
	return true
}

// crash applies a node crash to the disk: durable data stays, each
// unsynced written record survives with probability KeepUnsynced (as a
// prefix), the last survivor may be torn, and pending writes are lost.
func (d *Disk) crash() {
	durable := d.durable
	if d.ghost != nil && !d.rand.Chance(d.cfg.KeepUnsynced) {
		// The truncation never reached the disk: the old tail is back and
		// whatever was appended after the truncation point is gone.
		lost := d.log.len() - durable
		d.log.truncate(durable)
		for _, r := range d.ghost {
			d.log.push(r)
		}
		d.ghost, d.ghostOp = nil, 0
		d.durable, d.written = d.log.len(), d.log.len()
		d.lostTrace(lost)
		return
	}
	d.ghost, d.ghostOp = nil, 0
	keep := durable
	for keep < d.written && d.rand.Chance(d.cfg.KeepUnsynced) {
		keep++
	}
	lost := d.log.len() - keep
	d.log.truncate(keep)
	d.durable, d.written = keep, keep
	if keep > durable && d.log.at(keep-1).n > 0 && d.rand.Chance(d.cfg.Torn) {
		last := d.log.at(keep - 1)
		last.n = int32(d.rand.IntN(int(last.n)))
	}
	d.lostTrace(lost)
}

func (d *Disk) lostTrace(lost int) {
	d.n.s.trace.add(TraceEvent{At: d.n.s.now, Kind: TraceDiskLost, Node: d.n.id, Peer: -1, Info: uint64(lost)})
}
