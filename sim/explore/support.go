package explore

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/zabsim/zabsim/protocol"
)

// ErrSyntax is returned for a choice sequence that does not parse.
var ErrSyntax = errors.New("explore: bad choice")

// listApp is a state machine that keeps the whole applied sequence, so the
// invariants can compare replicas exactly.
type listApp struct{ applied []protocol.Entry }

func (a *listApp) Apply(z protocol.Zxid, txn []byte) {
	a.applied = append(a.applied, protocol.Entry{Zxid: z, Txn: txn})
}

func (a *listApp) Snapshot() []byte {
	var b []byte
	for _, e := range a.applied {
		r := protocol.MarshalEntry(e)
		b = append(b, byte(len(r)))
		b = append(b, r...)
	}
	return b
}

func (a *listApp) Restore(_ protocol.Zxid, data []byte) error {
	a.applied = nil
	for len(data) > 0 {
		n := int(data[0])
		if n+1 > len(data) {
			return fmt.Errorf("short snapshot")
		}
		e, err := protocol.UnmarshalEntry(data[1 : 1+n])
		if err != nil {
			return err
		}
		a.applied = append(a.applied, e)
		data = data[1+n:]
	}
	return nil
}

func (a *listApp) PingData() []byte              { return nil }
func (a *listApp) Receive(uint64, []byte, bool)  {}
func (a *listApp) StatusChanged(protocol.Status) {}

func (a *listApp) digest() uint64 {
	h := protocol.NewHasher()
	for _, e := range a.applied {
		h.Word(uint64(e.Zxid))
		h.Bytes(e.Txn)
	}
	return h.Sum()
}

// memStore is storage that completes every operation at once: a crash
// loses nothing that was carried out.
type memStore struct {
	records [][]byte
	files   map[string][]byte
	// sharedFiles: files belongs to another world's copy too, and is
	// copied before the first change.
	sharedFiles bool
	// sum caches the digest until the next change.
	sum    uint64
	summed bool
}

func (s *memStore) Append(r []byte) error {
	s.records = append(s.records, r)
	s.summed = false
	return nil
}

func (s *memStore) Truncate(keep int) error {
	if keep > len(s.records) {
		return fmt.Errorf("truncate to %d of %d records", keep, len(s.records))
	}
	// Clipped, so the next append cannot write into an array another
	// world's copy of this store still reads.
	s.records = s.records[:keep:keep]
	s.summed = false
	return nil
}

func (s *memStore) Sync(done func()) { done() }

func (s *memStore) ownFiles() {
	s.summed = false
	if s.sharedFiles {
		s.files = maps.Clone(s.files)
		s.sharedFiles = false
	}
}

func (s *memStore) WriteFile(name string, data []byte, done func()) {
	s.ownFiles()
	s.files[name] = bytes.Clone(data)
	done()
}

func (s *memStore) RemoveFile(name string, done func()) {
	s.ownFiles()
	delete(s.files, name)
	done()
}

// clone copies the store for another world: the records' array is
// shared (clipped, so appends copy it), and so are the files until one
// side changes them.
func (s *memStore) clone() *memStore {
	s.sharedFiles = true
	return &memStore{records: slices.Clip(s.records), files: s.files, sharedFiles: true, sum: s.sum, summed: s.summed}
}

// envStore is the Storage the shared Carrier writes to: the store of the
// server whose Ready is being carried out.
type envStore struct{ e *env }

func (s envStore) Append(r []byte) error   { return s.e.store.Append(r) }
func (s envStore) Truncate(keep int) error { return s.e.store.Truncate(keep) }
func (s envStore) Sync(done func())        { s.e.store.Sync(done) }
func (s envStore) WriteFile(name string, data []byte, done func()) {
	s.e.store.WriteFile(name, data, done)
}
func (s envStore) RemoveFile(name string, done func()) { s.e.store.RemoveFile(name, done) }

func (s *memStore) recovered() protocol.Recovered {
	files := make(map[string][]byte, len(s.files))
	for k, v := range s.files {
		files[k] = v
	}
	return protocol.Recovered{Records: append([][]byte(nil), s.records...), Files: files}
}

func (s *memStore) digest() uint64 {
	if s.summed {
		return s.sum
	}
	h := protocol.NewHasher()
	for _, r := range s.records {
		h.Bytes(r)
	}
	names := make([]string, 0, len(s.files))
	for name := range s.files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h.Bytes([]byte(name))
		h.Bytes(s.files[name])
	}
	s.sum, s.summed = h.Sum(), true
	return s.sum
}
