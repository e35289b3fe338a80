package protocol

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Entry is one transaction in a peer's log: the zxid the leader gave it and
// the opaque transaction bytes of the layer above.
type Entry struct {
	Zxid Zxid
	Txn  []byte
}

func (e Entry) String() string { return fmt.Sprintf("%s(%dB)", e.Zxid, len(e.Txn)) }

// MarshalEntry is the log record of an entry: the zxid, then the bytes.
// The storage adds its own length and checksum around it.
func MarshalEntry(e Entry) []byte {
	b := make([]byte, 8, 8+len(e.Txn))
	binary.BigEndian.PutUint64(b, uint64(e.Zxid))
	return append(b, e.Txn...)
}

// EntryZxid reads the zxid of a log record written by MarshalEntry without
// copying the transaction.
func EntryZxid(b []byte) (Zxid, error) {
	if len(b) < 8 {
		return 0, fmt.Errorf("%w: log record of %d bytes is shorter than a zxid", ErrBadEncoding, len(b))
	}
	return Zxid(binary.BigEndian.Uint64(b)), nil
}

// UnmarshalEntry reads a log record written by MarshalEntry.
func UnmarshalEntry(b []byte) (Entry, error) {
	if len(b) < 8 {
		return Entry{}, fmt.Errorf("%w: log record of %d bytes is shorter than a zxid", ErrBadEncoding, len(b))
	}
	z := Zxid(binary.BigEndian.Uint64(b))
	if z.Counter() == 0 {
		return Entry{}, fmt.Errorf("%w: log record with epoch-marker zxid %s", ErrBadEncoding, z)
	}
	return Entry{Zxid: z, Txn: append([]byte(nil), b[8:]...)}, nil
}

// OpKind is one kind of storage operation in a Ready.
type OpKind uint8

const (
	// OpAppend adds Entry at the end of the log.
	OpAppend OpKind = iota + 1
	// OpTruncate keeps the first Keep records of the log and drops the rest.
	OpTruncate
	// OpSync makes every earlier operation durable (fsync).
	OpSync
	// OpWriteFile replaces file Name with Data atomically and durably
	// (temp file, fsync, rename).
	OpWriteFile
	// OpRemoveFile deletes file Name durably.
	OpRemoveFile
)

// Op is one storage operation. Ops in a Ready are carried out in order; a
// crash can fall between any two of them.
type Op struct {
	Kind  OpKind
	Entry Entry  // OpAppend
	Keep  int    // OpTruncate: records kept
	Name  string // OpWriteFile, OpRemoveFile
	Data  []byte // OpWriteFile
}

func (o Op) String() string {
	switch o.Kind {
	case OpAppend:
		return "append " + o.Entry.String()
	case OpTruncate:
		return fmt.Sprintf("truncate keep=%d", o.Keep)
	case OpSync:
		return "fsync"
	case OpWriteFile:
		return fmt.Sprintf("write %s (%dB)", o.Name, len(o.Data))
	case OpRemoveFile:
		return "remove " + o.Name
	}
	return fmt.Sprintf("op(%d)", o.Kind)
}

// Ready is the batch of work a peer hands its host, as in etcd-io/raft:
// carry out Persist in order, send Messages, then call Advance. A message
// may depend on the persisted state (a follower ACKs only what is on
// disk), so it leaves only once every operation before it, in this Ready
// and in every Ready handed out before, is durable; unless Early marks it
// as depending on none of that. Several Readies may be outstanding (up to
// MaxInflightReadies): they are carried out and advanced in order, so a
// host can send a Ready's early messages while an earlier one's fsync
// runs. A Carrier keeps these rules for both hosts.
type Ready struct {
	Persist  []Op
	Messages []Message
	// Early[i] reports that Messages[i] may leave at once, before this
	// Ready's storage work and before any earlier Ready's late messages
	// to other servers. It never overtakes a late message to its own
	// destination: a connection stays in order.
	Early []bool
	// Events describe what happened inside the peer since the last Ready,
	// for the trace and the checkers. They need no action.
	Events []Event
	// Fatal is set when the peer met a state ZooKeeper answers by exiting
	// the process (a COMMIT that does not match the next pending zxid, a
	// failed truncation). The host must crash the server; the peer does
	// nothing more.
	Fatal error
}

// Empty reports whether there is nothing to do.
func (rd *Ready) Empty() bool {
	return len(rd.Persist) == 0 && len(rd.Messages) == 0 && len(rd.Events) == 0 && rd.Fatal == nil
}

func (rd *Ready) String() string {
	var b strings.Builder
	for _, o := range rd.Persist {
		fmt.Fprintf(&b, "persist %s\n", o)
	}
	for _, m := range rd.Messages {
		fmt.Fprintf(&b, "send %s\n", m)
	}
	for _, e := range rd.Events {
		fmt.Fprintf(&b, "event %s\n", e)
	}
	if rd.Fatal != nil {
		fmt.Fprintf(&b, "fatal %v\n", rd.Fatal)
	}
	return b.String()
}

// Storage is what a host's disk offers to carry out a Ready. Completions
// are reported through callbacks so the simulator can put a crash between
// an fsync and the reaction to it; a real host may call them synchronously.
type Storage interface {
	Append(record []byte) error
	Truncate(keep int) error
	Sync(done func())
	WriteFile(name string, data []byte, done func())
	RemoveFile(name string, done func())
}

// Carry carries out one Ready at once: its early messages, its storage
// operations in order on st (waiting for each fsync and file write to
// complete before the next), then its other messages, and finally done.
// If a storage operation fails, failed is called instead and no late
// message is sent: the host must then treat the server as crashed, since
// it may have lost writes it was about to acknowledge.
func Carry(rd Ready, st Storage, send func(Message), done func(), failed func(error)) {
	c := NewCarrier(func(m Message, _ uint64) { send(m) })
	c.Hand(rd, 0)
	ops, _ := c.Batch()
	NewPersister(st).Persist(ops, func() {
		c.Persisted()
		done()
	}, failed)
}

// Carrier keeps a host's promises about a peer's outstanding Readies: it
// sends each Ready's early messages when it is handed out, merges the
// storage work of the Readies waiting for the disk into one batch (one
// fsync for all: group commit across Readies), and sends their other
// messages in order once that batch is durable. Both hosts use it, so
// the order of persists and sends cannot differ between them. It is not
// safe for concurrent use: a host calls it from its event loop and may
// run the batch's storage work (a Persister) elsewhere.
type Carrier struct {
	send func(m Message, tag uint64)
	// pending are the Readies handed in and not yet persisted, oldest
	// first; the first batched of them form the batch being persisted.
	pending []pendingReady
	batched int
	// late holds the pending Readies' messages that wait for their
	// persist, from lateHead on, in order; lateTo counts them by
	// destination, so that an early message never overtakes one.
	late     []Message
	lateHead int
	lateTo   []int32
	ops      []Op // the merged batch, reused
}

type pendingReady struct {
	persist []Op
	lateEnd int // late[previous lateEnd:lateEnd] are this Ready's
	tag     uint64
}

// NewCarrier returns a Carrier that sends through send, with the tag the
// message's Ready was handed in with (a host's note of the connections
// of that moment).
func NewCarrier(send func(m Message, tag uint64)) *Carrier {
	return &Carrier{send: send}
}

// Hand takes a Ready just handed out by its peer: its early messages
// leave now, the rest waits for Batch and Persisted.
func (c *Carrier) Hand(rd Ready, tag uint64) {
	for i, m := range rd.Messages {
		if i < len(rd.Early) && rd.Early[i] && c.lateCount(m.To) == 0 {
			c.send(m, tag)
			continue
		}
		c.late = append(c.late, m)
		c.addLate(m.To, 1)
	}
	c.pending = append(c.pending, pendingReady{persist: rd.Persist, lateEnd: len(c.late), tag: tag})
}

func (c *Carrier) lateCount(to uint64) int32 {
	if to < uint64(len(c.lateTo)) {
		return c.lateTo[to]
	}
	return 0
}

func (c *Carrier) addLate(to uint64, n int32) {
	for to >= uint64(len(c.lateTo)) {
		c.lateTo = append(c.lateTo, 0)
	}
	c.lateTo[to] += n
}

// Busy reports whether a batch is being persisted.
func (c *Carrier) Busy() bool { return c.batched > 0 }

// Batch starts the next batch: the storage operations of every pending
// Ready, in order, as one list, and how many Readies it covers (0 when a
// batch is already being persisted or nothing is pending). The host
// carries the operations out (a Persister) and then calls Persisted; an
// empty list is durable at once. The list is valid until the next Batch.
//
// An fsync is left out where the next operation that is not a log write
// is another fsync: nothing becomes durable or visible between the two,
// so only the later one matters. A file write is never moved before an
// fsync that preceded it (currentEpoch must not be durable before the
// history logged ahead of it).
func (c *Carrier) Batch() ([]Op, int) {
	if c.batched > 0 || len(c.pending) == 0 {
		return nil, 0
	}
	c.batched = len(c.pending)
	c.ops = c.ops[:0]
	for _, p := range c.pending {
		c.ops = append(c.ops, p.persist...)
	}
	kept := c.ops[:0]
	for i, o := range c.ops {
		if o.Kind == OpSync && syncFollows(c.ops[i+1:]) {
			continue
		}
		kept = append(kept, o)
	}
	clear(c.ops[len(kept):])
	c.ops = kept
	return c.ops, c.batched
}

// syncFollows reports whether ops reach an fsync past log writes only.
func syncFollows(ops []Op) bool {
	for _, o := range ops {
		switch o.Kind {
		case OpSync:
			return true
		case OpAppend, OpTruncate:
		default:
			return false
		}
	}
	return false
}

// Persisted reports that the batch is durable: the late messages of its
// Readies leave, in order. It returns how many Readies the batch covered
// (the count Batch returned): the host then calls its peer's Advance once
// for each.
func (c *Carrier) Persisted() int {
	if c.batched == 0 {
		panic("protocol: Carrier.Persisted without a batch")
	}
	for _, p := range c.pending[:c.batched] {
		for ; c.lateHead < p.lateEnd; c.lateHead++ {
			m := c.late[c.lateHead]
			c.addLate(m.To, -1)
			c.send(m, p.tag)
		}
	}
	n := copy(c.pending, c.pending[c.batched:])
	clear(c.pending[n:])
	c.pending = c.pending[:n]
	shift := c.lateHead
	for i := range c.pending {
		c.pending[i].lateEnd -= shift
	}
	m := copy(c.late, c.late[shift:])
	clear(c.late[m:])
	done := c.batched
	c.late, c.lateHead, c.batched = c.late[:m], 0, 0
	return done
}

// Persister carries out storage operations in order on a Storage. It is
// built once per server: carrying out a batch allocates nothing of its
// own (a busy simulator carries out hundreds of thousands per second).
type Persister struct {
	st     Storage
	ops    []Op
	i      int
	done   func()
	failed func(error)
	resume func() // p.next, bound once
	// records is where log records are marshalled: an arena whose bytes
	// are never overwritten, since a storage may keep the records it is
	// given, but allocated 16 KiB at a time instead of once per record.
	records []byte
}

const persisterArena = 16 << 10

// NewPersister returns a Persister over st.
func NewPersister(st Storage) *Persister {
	p := &Persister{st: st}
	p.resume = p.next
	return p
}

// record is MarshalEntry(e), in the arena when it fits.
func (p *Persister) record(e Entry) []byte {
	n := 8 + len(e.Txn)
	if n > persisterArena/4 {
		return MarshalEntry(e)
	}
	if cap(p.records)-len(p.records) < n {
		p.records = make([]byte, 0, persisterArena)
	}
	from := len(p.records)
	p.records = binary.BigEndian.AppendUint64(p.records, uint64(e.Zxid))
	p.records = append(p.records, e.Txn...)
	return p.records[from:len(p.records):len(p.records)]
}

// Persist carries out ops in order, waiting for each fsync and file
// write to complete before the next, then calls done; or failed, at the
// first operation that fails. The previous Persist must have finished.
func (p *Persister) Persist(ops []Op, done func(), failed func(error)) {
	if p.done != nil || p.failed != nil {
		panic("protocol: Persister.Persist while the previous batch is still being persisted")
	}
	p.ops, p.i, p.done, p.failed = ops, 0, done, failed
	p.run()
}

// next continues after an asynchronous completion.
func (p *Persister) next() {
	p.i++
	p.run()
}

func (p *Persister) run() {
	for ; p.i < len(p.ops); p.i++ {
		o := &p.ops[p.i]
		switch o.Kind {
		case OpAppend:
			if err := p.st.Append(p.record(o.Entry)); err != nil {
				p.fail(fmt.Errorf("append %s: %w", o.Entry.Zxid, err))
				return
			}
		case OpTruncate:
			if err := p.st.Truncate(o.Keep); err != nil {
				p.fail(fmt.Errorf("truncate to %d records: %w", o.Keep, err))
				return
			}
		case OpSync:
			p.st.Sync(p.resume)
			return
		case OpWriteFile:
			p.st.WriteFile(o.Name, o.Data, p.resume)
			return
		case OpRemoveFile:
			p.st.RemoveFile(o.Name, p.resume)
			return
		default:
			p.fail(fmt.Errorf("unknown storage operation %d", o.Kind))
			return
		}
	}
	done := p.done
	p.ops, p.done, p.failed = nil, nil, nil
	done()
}

func (p *Persister) fail(err error) {
	failed := p.failed
	p.ops, p.done, p.failed = nil, nil, nil
	failed(err)
}
