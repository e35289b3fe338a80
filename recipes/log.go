package recipes

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Kind is what a log entry records.
type Kind uint8

const (
	// Lock: Value is the fencing token (the lock node's czxid).
	LockAcquired Kind = iota + 1
	LockReleased
	LockLost // the holder learned its session is or may be gone
	// Resource: Value is the token the write carried.
	WriteAccepted
	WriteRejected
	// Election: Value is the candidate's sequence number, its term.
	Elected
	Deposed // the leader resigned or learned it lost its session
	// Membership: Key is the member.
	Joined
	Left
	View   // Key is the members seen, comma-separated, sorted
	Picked // a load-balancing client chose member Key
	// Configuration: Value is the config version acted on.
	ConfigActed
	ConfigWritten
	// Queue: Key is the item.
	Produced
	Consumed
	// Double barrier.
	BarrierArrived
	BarrierEntered
	BarrierLeaving
	BarrierLeft
)

var kindNames = [...]string{
	LockAcquired: "lock-acquired", LockReleased: "lock-released", LockLost: "lock-lost",
	WriteAccepted: "write-accepted", WriteRejected: "write-rejected",
	Elected: "elected", Deposed: "deposed",
	Joined: "joined", Left: "left", View: "view", Picked: "picked",
	ConfigActed: "config-acted", ConfigWritten: "config-written",
	Produced: "produced", Consumed: "consumed",
	BarrierArrived: "barrier-arrived", BarrierEntered: "barrier-entered", BarrierLeaving: "barrier-leaving", BarrierLeft: "barrier-left",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Entry is one thing a recipe client did or came to believe, stamped with
// its connection's Now.
type Entry struct {
	At     time.Duration
	Client string
	Kind   Kind
	Key    string
	Value  int64
}

func (e Entry) String() string { return fmt.Sprintf("%v %s", e.At, e.what()) }

// what is the entry without its time.
func (e Entry) what() string {
	s := e.Client + " " + e.Kind.String()
	if e.Key != "" {
		s += " " + e.Key
	}
	if e.Value != 0 {
		s += fmt.Sprintf(" %d", e.Value)
	}
	return s
}

// LogMax bounds a log; entries beyond it are counted, not kept, and the
// checkers refuse to judge a log that overflowed.
const LogMax = 1 << 20

// Log is what the recipe clients of a run did and believed: the ground
// truth the checkers in recipes/check judge. Live clients record into it
// from many goroutines, so it locks.
type Log struct {
	mu      sync.Mutex
	entries []Entry
	lost    int
}

// Add records an entry.
func (l *Log) Add(e Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= LogMax {
		l.lost++
		return
	}
	l.entries = append(l.entries, e)
}

// noter is a connection that keeps a trace (the simulator's): recorded
// entries are noted in it too, so a replay's trace tells the recipe's
// story beside the messages.
type noter interface{ Note(text string) }

// Record stamps and records an entry of client c.
func (l *Log) Record(c Conn, client string, k Kind, key string, value int64) {
	e := Entry{At: c.Now(), Client: client, Kind: k, Key: key, Value: value}
	l.Add(e)
	if n, ok := c.(noter); ok {
		n.Note(e.what())
	}
}

// Entries returns the log in time order (entries with equal times keep
// the order they were added in).
func (l *Log) Entries() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]Entry(nil), l.entries...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// Overflowed is how many entries did not fit.
func (l *Log) Overflowed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}
