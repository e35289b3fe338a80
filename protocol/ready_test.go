package protocol

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// sent records what a Carrier sends, as "to:zxid@tag".
type sent []string

func (s *sent) send(m Message, tag uint64) {
	*s = append(*s, fmt.Sprintf("%d:%d@%d", m.To, m.Zxid, tag))
}

func msgs(early []bool, ms ...Message) Ready { return Ready{Messages: ms, Early: early} }

func TestCarrierSendsEarlyMessagesAtOnceAndTheRestAfterTheBatch(t *testing.T) {
	var out sent
	c := NewCarrier(out.send)
	append1 := Op{Kind: OpAppend, Entry: Entry{Zxid: 1}}
	rd := msgs([]bool{true, false, true, true},
		Message{To: 2, Zxid: 1}, // early
		Message{To: 3, Zxid: 2}, // late
		Message{To: 3, Zxid: 3}, // early, but behind a late one to 3
		Message{To: 2, Zxid: 4}, // early
	)
	rd.Persist = []Op{append1, {Kind: OpSync}}
	c.Hand(rd, 7)
	require.Equal(t, sent{"2:1@7", "2:4@7"}, out)

	// A second Ready while the first waits: its early message to 3 waits
	// behind the first's late ones, the one to 2 leaves.
	c.Hand(msgs([]bool{true, true}, Message{To: 3, Zxid: 5}, Message{To: 2, Zxid: 6}), 8)
	require.Equal(t, sent{"2:1@7", "2:4@7", "2:6@8"}, out)

	ops, n := c.Batch()
	require.Equal(t, 2, n)
	require.Equal(t, []Op{append1, {Kind: OpSync}}, ops)
	require.True(t, c.Busy())
	_, again := c.Batch()
	require.Zero(t, again, "one batch at a time")

	c.Persisted()
	require.Equal(t, sent{"2:1@7", "2:4@7", "2:6@8", "3:2@7", "3:3@7", "3:5@8"}, out,
		"late messages in order, each with its Ready's tag")
	require.False(t, c.Busy())
	_, pending := c.Batch()
	require.Zero(t, pending, "nothing outstanding")

	// Nothing is pending any more: an early message to 3 leaves at once.
	c.Hand(msgs([]bool{true}, Message{To: 3, Zxid: 9}), 9)
	require.Equal(t, "3:9@9", out[len(out)-1])
}

func TestCarrierBatchKeepsTheLastOfConsecutiveFsyncs(t *testing.T) {
	a := func(z Zxid) Op { return Op{Kind: OpAppend, Entry: Entry{Zxid: z}} }
	sync := Op{Kind: OpSync}
	file := Op{Kind: OpWriteFile, Name: FileCurrentEpoch, Data: []byte("2")}
	for _, tc := range []struct {
		name    string
		readies [][]Op
		want    []Op
	}{
		{"log writes share the last fsync", [][]Op{{a(1), sync}, {a(2), sync}, {a(3), sync}}, []Op{a(1), a(2), a(3), sync}},
		{"a truncation is a log write", [][]Op{{a(1), sync}, {{Kind: OpTruncate, Keep: 1}, a(2), sync}}, []Op{a(1), {Kind: OpTruncate, Keep: 1}, a(2), sync}},
		{"a file write keeps the fsync before it", [][]Op{{a(1), sync}, {file}, {a(2), sync}}, []Op{a(1), sync, file, a(2), sync}},
		{"a file write after log writes keeps theirs", [][]Op{{a(1), sync}, {a(2), sync, file}}, []Op{a(1), a(2), sync, file}},
		{"the last fsync stays", [][]Op{{a(1), sync}}, []Op{a(1), sync}},
		{"Readies without storage work", [][]Op{nil, nil}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCarrier(func(Message, uint64) {})
			for _, ops := range tc.readies {
				c.Hand(Ready{Persist: ops}, 0)
			}
			ops, n := c.Batch()
			require.Equal(t, len(tc.readies), n)
			if tc.want == nil {
				require.Empty(t, ops)
				return
			}
			require.Equal(t, tc.want, ops)
		})
	}
}

// TestCarrierKeepsEveryConnectionInOrder: whatever the Readies and
// however Hand, Batch and Persisted interleave, the messages to each
// server leave in the order the peer made them, and a late message
// leaves only after the batch holding its Ready is durable.
func TestCarrierKeepsEveryConnectionInOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		durable := 0 // Readies whose batch was persisted
		handed := 0
		type record struct {
			seq   uint64 // Zxid: the order the peer made it in
			ready int    // Tag: which Ready
		}
		var out [4][]record
		lateOf := map[uint64]bool{}
		c := NewCarrier(func(m Message, tag uint64) {
			if lateOf[uint64(m.Zxid)] && int(tag) >= durable {
				t.Fatalf("late message %d of Ready %d left before its batch was durable", m.Zxid, tag)
			}
			out[m.To] = append(out[m.To], record{seq: uint64(m.Zxid), ready: int(tag)})
		})
		var seq uint64
		batched := 0
		steps := rapid.IntRange(1, 40).Draw(t, "steps")
		for range steps {
			switch rapid.IntRange(0, 2).Draw(t, "action") {
			case 0:
				var rd Ready
				for range rapid.IntRange(0, 4).Draw(t, "messages") {
					seq++
					early := rapid.Bool().Draw(t, "early")
					lateOf[seq] = !early
					rd.Messages = append(rd.Messages, Message{To: uint64(rapid.IntRange(1, 3).Draw(t, "to")), Zxid: Zxid(seq)})
					rd.Early = append(rd.Early, early)
				}
				if rapid.Bool().Draw(t, "persists") {
					rd.Persist = []Op{{Kind: OpAppend, Entry: Entry{Zxid: Zxid(seq)}}, {Kind: OpSync}}
				}
				c.Hand(rd, uint64(handed))
				handed++
			case 1:
				if _, n := c.Batch(); n > 0 {
					batched = n
				}
			case 2:
				if c.Busy() {
					durable += batched
					c.Persisted()
				}
			}
		}
		for to, rs := range out {
			for i := 1; i < len(rs); i++ {
				if rs[i].seq < rs[i-1].seq {
					t.Fatalf("to %d: message %d overtook %d", to, rs[i-1].seq, rs[i].seq)
				}
			}
		}
	})
}
