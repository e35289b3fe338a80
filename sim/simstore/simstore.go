// Package simstore adapts the simulated disk (sim.Disk) to
// protocol.Storage, so a simulated server carries out a Ready exactly as
// the live server does, and reads its disk back as a protocol.Recovered.
package simstore

import (
	"errors"
	"fmt"

	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/sim"
)

// ErrOutOfRange is returned by Truncate for a record count the log cannot
// keep. sim.Disk panics on it, since there it is a simulator bug, but here
// the count comes from the protocol and a bad one must fail the Ready, not
// the process.
var ErrOutOfRange = errors.New("simstore: truncation out of range")

// Store is protocol.Storage on a sim.Disk. Completions run as later
// simulator events, so a crash can fall between an fsync and the reaction
// to it.
type Store struct {
	d *sim.Disk
}

var _ protocol.Storage = (*Store)(nil)

// New returns a store on d.
func New(d *sim.Disk) *Store { return &Store{d: d} }

// Append adds a record at the end of the log; it is durable only after a
// later Sync completes. A record over the disk's limits fails with
// sim.ErrDiskFull.
func (s *Store) Append(record []byte) error {
	_, err := s.d.Append(record)
	return err
}

// Truncate keeps the first keep records.
func (s *Store) Truncate(keep int) error {
	if keep < 0 || keep > s.d.Len() {
		return fmt.Errorf("%w: keep %d of %d records", ErrOutOfRange, keep, s.d.Len())
	}
	s.d.Truncate(keep)
	return nil
}

// Sync makes everything issued before it durable, then calls done.
func (s *Store) Sync(done func()) { s.d.Sync(done) }

// WriteFile replaces a named file atomically and durably, then calls done.
func (s *Store) WriteFile(name string, data []byte, done func()) { s.d.WriteFile(name, data, done) }

// RemoveFile deletes a named file durably, then calls done.
func (s *Store) RemoveFile(name string, done func()) { s.d.RemoveFile(name, done) }

// Load reads the disk back as a restarting server does: every valid log
// record, every named file, and whether a torn last record was cut off.
// Corruption before the tail fails with sim.ErrCorrupt.
func (s *Store) Load() (protocol.Recovered, error) {
	records, rec, err := s.d.Load()
	if err != nil {
		return protocol.Recovered{}, err
	}
	out := protocol.Recovered{Records: records, Files: map[string][]byte{}, TornTail: rec.TornTail}
	for _, name := range s.d.Files() {
		b, err := s.d.ReadFile(name)
		if err != nil {
			return protocol.Recovered{}, err
		}
		out.Files[name] = b
	}
	return out, nil
}
