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
// carry out Persist in order, then send Messages, then call Advance. A
// message may depend on the persisted state (a follower ACKs only what is
// on disk), so none may leave before every operation before it is durable.
type Ready struct {
	Persist  []Op
	Messages []Message
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

// Carry performs rd's storage operations in order on st, waiting for each
// fsync and file write to complete before the next, then sends every
// message and finally calls done. Both hosts use it (through a Carrier),
// so the persist-before-send order cannot differ between them. If a
// storage operation fails, failed is called instead and nothing is sent:
// the host must then treat the server as crashed, since it may have lost
// writes it was about to acknowledge.
func Carry(rd Ready, st Storage, send func(Message), done func(), failed func(error)) {
	c := NewCarrier(st, send, done, failed)
	c.Carry(rd)
}

// Carrier is Carry for a host that carries out one Ready after another:
// it is built once, and carrying out a Ready allocates nothing of its own
// (a busy simulator carries out hundreds of thousands per second).
type Carrier struct {
	st     Storage
	send   func(Message)
	done   func()
	failed func(error)
	resume func() // c.next, bound once
	rd     Ready
	i      int
	busy   bool
	// records is where log records are marshalled: an arena whose bytes
	// are never overwritten, since a storage may keep the records it is
	// given, but allocated 16 KiB at a time instead of once per record.
	records []byte
}

const carrierArena = 16 << 10

// record is MarshalEntry(e), in the arena when it fits.
func (c *Carrier) record(e Entry) []byte {
	n := 8 + len(e.Txn)
	if n > carrierArena/4 {
		return MarshalEntry(e)
	}
	if cap(c.records)-len(c.records) < n {
		c.records = make([]byte, 0, carrierArena)
	}
	from := len(c.records)
	c.records = binary.BigEndian.AppendUint64(c.records, uint64(e.Zxid))
	c.records = append(c.records, e.Txn...)
	return c.records[from:len(c.records):len(c.records)]
}

// NewCarrier returns a Carrier over st; see Carry for the callbacks.
func NewCarrier(st Storage, send func(Message), done func(), failed func(error)) *Carrier {
	c := &Carrier{st: st, send: send, done: done, failed: failed}
	c.resume = c.next
	return c
}

// Carry starts carrying out rd. The previous Ready must be finished:
// done or failed was called for it.
func (c *Carrier) Carry(rd Ready) {
	if c.busy {
		panic("protocol: Carrier.Carry while the previous Ready is still being carried out")
	}
	c.rd, c.i, c.busy = rd, 0, true
	c.run()
}

// next continues after an asynchronous completion.
func (c *Carrier) next() {
	c.i++
	c.run()
}

func (c *Carrier) run() {
	for ; c.i < len(c.rd.Persist); c.i++ {
		o := &c.rd.Persist[c.i]
		switch o.Kind {
		case OpAppend:
			if err := c.st.Append(c.record(o.Entry)); err != nil {
				c.fail(fmt.Errorf("append %s: %w", o.Entry.Zxid, err))
				return
			}
		case OpTruncate:
			if err := c.st.Truncate(o.Keep); err != nil {
				c.fail(fmt.Errorf("truncate to %d records: %w", o.Keep, err))
				return
			}
		case OpSync:
			c.st.Sync(c.resume)
			return
		case OpWriteFile:
			c.st.WriteFile(o.Name, o.Data, c.resume)
			return
		case OpRemoveFile:
			c.st.RemoveFile(o.Name, c.resume)
			return
		default:
			c.fail(fmt.Errorf("unknown storage operation %d", o.Kind))
			return
		}
	}
	for _, m := range c.rd.Messages {
		c.send(m)
	}
	c.rd, c.busy = Ready{}, false
	c.done()
}

func (c *Carrier) fail(err error) {
	c.rd, c.busy = Ready{}, false
	c.failed(err)
}
