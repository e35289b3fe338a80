// Package storagetest checks that a protocol.Storage behaves as the
// protocol core and protocol.Persister assume, in the style of
// testing/fstest.TestFS: each store's own tests call Run with a Harness,
// so the simulated and the live store are held to one contract.
package storagetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/protocol"
)

// Store is a storage under test, wrapped by its harness.
type Store interface {
	protocol.Storage
	// Load reads the log and the named files back.
	Load() (protocol.Recovered, error)
	// Drain runs every pending completion: the simulator's events, say. A
	// store that completes synchronously does nothing.
	Drain(t *testing.T)
	// Reopen closes the store without a crash and opens its disk again,
	// as a restarted process would; the old Store is not used again.
	Reopen(t *testing.T) Store
}

// Harness describes a storage implementation to Run.
type Harness struct {
	// New returns a fresh, empty store.
	New func(t *testing.T) Store
	// MaxRecord is the largest record Append accepts.
	MaxRecord int
	// ErrTooLarge is what Append returns (checked with errors.Is) for a
	// record of MaxRecord+1 bytes.
	ErrTooLarge error
}

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, h Harness) {
	require.NotNil(t, h.New, "Harness.New")
	require.Positive(t, h.MaxRecord, "Harness.MaxRecord")
	require.NotNil(t, h.ErrTooLarge, "Harness.ErrTooLarge")
	t.Run("EmptyLoadsEmpty", func(t *testing.T) { testEmpty(t, h) })
	t.Run("AppendSyncReopen", func(t *testing.T) { testAppendSyncReopen(t, h) })
	t.Run("TruncateThenAppend", func(t *testing.T) { testTruncateThenAppend(t, h) })
	t.Run("TruncateOutOfRange", func(t *testing.T) { testTruncateOutOfRange(t, h) })
	t.Run("WriteFileReplace", func(t *testing.T) { testWriteFile(t, h) })
	t.Run("RemoveFile", func(t *testing.T) { testRemoveFile(t, h) })
	t.Run("Carry", func(t *testing.T) { testCarry(t, h) })
	t.Run("LargeRecord", func(t *testing.T) { testLargeRecord(t, h) })
	t.Run("RecordLimit", func(t *testing.T) { testRecordLimit(t, h) })
}

// record is the i-th test record; sizes vary so a segmented log fills its
// segments unevenly, and record 0 is empty, which a store must keep apart
// from the end of its data.
func record(tag string, i int) []byte {
	if i == 0 {
		return []byte{}
	}
	return []byte(fmt.Sprintf("%s-%d-", tag, i) + strings.Repeat("x", i%7*37))
}

func records(tag string, from, to int) [][]byte {
	out := make([][]byte, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, record(tag, i))
	}
	return out
}

// strs makes records comparable regardless of nil versus empty slices.
func strs(recs [][]byte) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r)
	}
	return out
}

func fileStrs(files map[string][]byte) map[string]string {
	out := make(map[string]string, len(files))
	for name, b := range files {
		out[name] = string(b)
	}
	return out
}

func appendAll(t *testing.T, st Store, recs [][]byte) {
	t.Helper()
	for _, r := range recs {
		require.NoError(t, st.Append(r))
	}
}

// syncDrain issues a Sync, drains, and checks done ran exactly once.
func syncDrain(t *testing.T, st Store) {
	t.Helper()
	calls := 0
	st.Sync(func() { calls++ })
	st.Drain(t)
	require.Equal(t, 1, calls, "Sync's done calls")
}

func writeFile(t *testing.T, st Store, name, data string) {
	t.Helper()
	calls := 0
	st.WriteFile(name, []byte(data), func() { calls++ })
	st.Drain(t)
	require.Equal(t, 1, calls, "WriteFile's done calls")
}

func removeFile(t *testing.T, st Store, name string) {
	t.Helper()
	calls := 0
	st.RemoveFile(name, func() { calls++ })
	st.Drain(t)
	require.Equal(t, 1, calls, "RemoveFile's done calls")
}

func load(t *testing.T, st Store) protocol.Recovered {
	t.Helper()
	rec, err := st.Load()
	require.NoError(t, err)
	require.False(t, rec.TornTail, "a store closed without a crash has no torn tail")
	return rec
}

// requireLog checks the log both before and after a clean reopen and
// returns the reopened store.
func requireLog(t *testing.T, st Store, want [][]byte) Store {
	t.Helper()
	require.Equal(t, strs(want), strs(load(t, st).Records), "before reopen")
	st = st.Reopen(t)
	require.Equal(t, strs(want), strs(load(t, st).Records), "after reopen")
	return st
}

func testEmpty(t *testing.T, h Harness) {
	st := h.New(t)
	for range 2 {
		rec := load(t, st)
		require.Empty(t, rec.Records)
		require.Empty(t, rec.Files)
		st = st.Reopen(t)
	}
}

func testAppendSyncReopen(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name    string
		batches []int // records per Sync
	}{
		{"one record", []int{1}},
		{"one batch", []int{10}},
		{"many syncs", []int{1, 1, 3, 1, 5}},
		{"many records", []int{500, 300, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := h.New(t)
			var want [][]byte
			for _, n := range tc.batches {
				recs := records("r", len(want), len(want)+n)
				appendAll(t, st, recs)
				syncDrain(t, st)
				want = append(want, recs...)
			}
			st = requireLog(t, st, want)
			// The reopened store appends after what it found.
			more := records("after", 0, 3)
			appendAll(t, st, more)
			syncDrain(t, st)
			requireLog(t, st, append(want, more...))
		})
	}
}

func testTruncateThenAppend(t *testing.T, h Harness) {
	const n = 200
	for _, tc := range []struct {
		name string
		keep int
		sync bool // sync before truncating
	}{
		{"keep none", 0, true},
		{"keep one", 1, true},
		{"keep half", n / 2, true},
		{"keep all but one", n - 1, true},
		{"keep all", n, true},
		{"unsynced keep half", n / 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := h.New(t)
			old := records("old", 0, n)
			appendAll(t, st, old)
			if tc.sync {
				syncDrain(t, st)
			}
			require.NoError(t, st.Truncate(tc.keep))
			// New records are shorter than the ones they replace, so a
			// store that left old bytes behind would read them back.
			fresh := [][]byte{[]byte("n1"), []byte("n2")}
			appendAll(t, st, fresh)
			syncDrain(t, st)
			want := append(append([][]byte(nil), old[:tc.keep]...), fresh...)
			requireLog(t, st, want)
		})
	}
}

func testTruncateOutOfRange(t *testing.T, h Harness) {
	for _, keep := range []int{-1, 4, 1 << 40} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			st := h.New(t)
			recs := records("r", 0, 3)
			appendAll(t, st, recs)
			syncDrain(t, st)
			require.Error(t, st.Truncate(keep))
			requireLog(t, st, recs)
		})
	}
}

func testWriteFile(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name   string
		writes [][2]string // name, data in order
		want   map[string]string
	}{
		{"one", [][2]string{{"acceptedEpoch", "1"}}, map[string]string{"acceptedEpoch": "1"}},
		{"replace", [][2]string{{"acceptedEpoch", "1"}, {"acceptedEpoch", "2"}}, map[string]string{"acceptedEpoch": "2"}},
		{"shorter replace", [][2]string{{"currentEpoch", "12345"}, {"currentEpoch", "7"}}, map[string]string{"currentEpoch": "7"}},
		{"empty", [][2]string{{"currentEpoch", "1"}, {"currentEpoch", ""}}, map[string]string{"currentEpoch": ""}},
		{"several", [][2]string{{"acceptedEpoch", "3"}, {"currentEpoch", "2"}, {"snapshot.100000001", "tree"}},
			map[string]string{"acceptedEpoch": "3", "currentEpoch": "2", "snapshot.100000001": "tree"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := h.New(t)
			for _, w := range tc.writes {
				writeFile(t, st, w[0], w[1])
			}
			require.Equal(t, tc.want, fileStrs(load(t, st).Files), "before reopen")
			st = st.Reopen(t)
			require.Equal(t, tc.want, fileStrs(load(t, st).Files), "after reopen")
		})
	}
}

func testRemoveFile(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name   string
		write  []string
		remove []string
		want   map[string]string
	}{
		{"one of two", []string{"acceptedEpoch", "currentEpoch"}, []string{"acceptedEpoch"}, map[string]string{"currentEpoch": "currentEpoch"}},
		{"all", []string{"snapshot.1"}, []string{"snapshot.1"}, map[string]string{}},
		{"missing", []string{"currentEpoch"}, []string{"snapshot.2"}, map[string]string{"currentEpoch": "currentEpoch"}},
		{"twice", []string{"snapshot.1"}, []string{"snapshot.1", "snapshot.1"}, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := h.New(t)
			for _, name := range tc.write {
				writeFile(t, st, name, name)
			}
			for _, name := range tc.remove {
				removeFile(t, st, name)
			}
			require.Equal(t, tc.want, fileStrs(load(t, st).Files), "before reopen")
			st = st.Reopen(t)
			require.Equal(t, tc.want, fileStrs(load(t, st).Files), "after reopen")
		})
	}
}

// tracing records the order in which operations were issued and
// completed, so the Carry test can see when messages left.
type tracing struct {
	Store
	log []string
}

func (s *tracing) Append(r []byte) error {
	s.log = append(s.log, "append")
	return s.Store.Append(r)
}

func (s *tracing) Truncate(keep int) error {
	s.log = append(s.log, fmt.Sprintf("truncate %d", keep))
	return s.Store.Truncate(keep)
}

func (s *tracing) Sync(done func()) {
	s.log = append(s.log, "sync")
	s.Store.Sync(func() { s.log = append(s.log, "synced"); done() })
}

func (s *tracing) WriteFile(name string, data []byte, done func()) {
	s.log = append(s.log, "write "+name)
	s.Store.WriteFile(name, data, func() { s.log = append(s.log, "written "+name); done() })
}

func (s *tracing) RemoveFile(name string, done func()) {
	s.log = append(s.log, "remove "+name)
	s.Store.RemoveFile(name, func() { s.log = append(s.log, "removed "+name); done() })
}

func testCarry(t *testing.T, h Harness) {
	entry := func(c uint32) protocol.Entry {
		return protocol.Entry{Zxid: protocol.MakeZxid(1, c), Txn: []byte(fmt.Sprint("txn", c))}
	}
	rd := protocol.Ready{
		Persist: []protocol.Op{
			{Kind: protocol.OpAppend, Entry: entry(1)},
			{Kind: protocol.OpAppend, Entry: entry(2)},
			{Kind: protocol.OpSync},
			{Kind: protocol.OpWriteFile, Name: protocol.FileAcceptedEpoch, Data: []byte("1")},
			{Kind: protocol.OpTruncate, Keep: 1},
			{Kind: protocol.OpAppend, Entry: entry(3)},
			{Kind: protocol.OpSync},
			{Kind: protocol.OpWriteFile, Name: "snapshot.100000001", Data: []byte("snap")},
			{Kind: protocol.OpRemoveFile, Name: "snapshot.100000001"},
		},
		Messages: []protocol.Message{{Type: protocol.MsgNotification, To: 2}, {Type: protocol.MsgNotification, To: 3}},
	}
	st := &tracing{Store: h.New(t)}
	var sent []uint64
	var sentAfter []string // st.log when each message left
	done := 0
	protocol.Carry(rd, st, func(m protocol.Message) {
		sent = append(sent, m.To)
		sentAfter = append(sentAfter, strings.Join(st.log, ", "))
	}, func() { done++ }, func(err error) { t.Errorf("Carry failed: %v", err) })
	st.Drain(t)

	want := []string{"append", "append", "sync", "synced", "write acceptedEpoch", "written acceptedEpoch",
		"truncate 1", "append", "sync", "synced", "write snapshot.100000001", "written snapshot.100000001",
		"remove snapshot.100000001", "removed snapshot.100000001"}
	require.Equal(t, want, st.log, "operations in order, each waiting for the one before")
	require.Equal(t, []uint64{2, 3}, sent)
	for _, log := range sentAfter {
		require.Equal(t, strings.Join(want, ", "), log, "a message left before the last operation completed")
	}
	require.Equal(t, 1, done)

	rec := load(t, st.Store)
	require.Equal(t, strs([][]byte{protocol.MarshalEntry(entry(1)), protocol.MarshalEntry(entry(3))}), strs(rec.Records))
	require.Equal(t, map[string]string{protocol.FileAcceptedEpoch: "1"}, fileStrs(rec.Files))
}

func testLargeRecord(t *testing.T, h Harness) {
	big := make([]byte, h.MaxRecord)
	for i := range big {
		big[i] = byte(i * 7)
	}
	st := h.New(t)
	recs := [][]byte{[]byte("before"), big, []byte("after")}
	appendAll(t, st, recs)
	syncDrain(t, st)
	requireLog(t, st, recs)
}

func testRecordLimit(t *testing.T, h Harness) {
	st := h.New(t)
	require.NoError(t, st.Append([]byte("first")))
	err := st.Append(make([]byte, h.MaxRecord+1))
	require.ErrorIs(t, err, h.ErrTooLarge, "Append of MaxRecord+1 bytes")
	// The refused record leaves no trace and the store stays usable.
	require.NoError(t, st.Append([]byte("second")))
	syncDrain(t, st)
	requireLog(t, st, [][]byte{[]byte("first"), []byte("second")})
}
