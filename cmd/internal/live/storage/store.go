// Package storage is the live server's disk: protocol.Storage on real
// files. The log is a sequence of preallocated segment files of
// checksummed records (see record.go); named files (the epoch files,
// snapshots) are replaced atomically by writing a temporary file, fsyncing
// it and renaming it over the old one.
//
// Appends are buffered and reach the file at the next Sync, which then
// issues one write and one fdatasync for all of them: the host gets group
// commit by appending a whole Ready before its Sync. The segment is
// written with zeros a chunk ahead of the appends (see zeroAhead), so
// that most of those fdatasyncs have no metadata to commit. A Store is not safe
// for concurrent use; the host's Ready loop owns it.
package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zabsim/zabsim/protocol"
)

// Errors. ErrCorrupt means data before the tail of the log is damaged: a
// bad record followed by a valid one. A damaged tail with nothing valid
// after it is an unfinished write and is cut, not an error.
var (
	ErrCorrupt        = errors.New("storage: log is corrupt")
	ErrRecordTooLarge = errors.New("storage: record too large")
	ErrOutOfRange     = errors.New("storage: truncation out of range")
	ErrBadName        = errors.New("storage: bad file name")
	ErrClosed         = errors.New("storage: store is closed")
)

// Defaults for Config.
const (
	DefaultSegmentSize = 64 << 20
	DefaultMaxRecord   = 8 << 20
)

// Config tunes a Store. The zero value is usable.
type Config struct {
	// SegmentSize is the size segment files are preallocated to; a record
	// never spans two segments. 0 means DefaultSegmentSize.
	SegmentSize int64
	// MaxRecord bounds a record's payload; 0 means DefaultMaxRecord, or
	// less if a segment could not hold it.
	MaxRecord int
	// Logf, if set, is told about repairs made at Open, such as a torn
	// tail cut off.
	Logf func(format string, args ...any)
	// Failed, if set, is called when a Sync, WriteFile or RemoveFile
	// fails. Its done is then never called and every later operation
	// fails too: after a failed fsync the kernel may have dropped the
	// dirty pages, so a retry could report as durable what is lost. The
	// host must crash the server.
	Failed func(error)
}

func (c *Config) fill() error {
	if c.SegmentSize == 0 {
		c.SegmentSize = DefaultSegmentSize
	}
	if c.SegmentSize < headerSize+align {
		return fmt.Errorf("storage: segment size %d is below %d bytes", c.SegmentSize, headerSize+align)
	}
	room := int((c.SegmentSize - headerSize) &^ (align - 1))
	if c.MaxRecord == 0 {
		c.MaxRecord = min(DefaultMaxRecord, room)
	}
	if c.MaxRecord < 0 || c.MaxRecord > room || c.MaxRecord > 1<<31-1 {
		return fmt.Errorf("storage: max record %d does not fit a %d-byte segment", c.MaxRecord, c.SegmentSize)
	}
	return nil
}

const (
	segmentPrefix = "log."
	tmpSuffix     = ".tmp"
	// flushAt bounds the append buffer: a long batch is written in
	// pieces, still with one fsync.
	flushAt = 1 << 20
	// zeroAhead is how far ahead of the last record the log's segment is
	// written with zeros, a chunk at a time, so that appends overwrite
	// written blocks: their fsync then has only data to flush, no
	// journal commit, which under a busy CPU waits for the journal's
	// kernel thread (an fsync took twice as long).
	zeroAhead = 64 << 10
)

var zeroChunk [zeroAhead]byte

func segmentName(first uint64) string { return fmt.Sprintf("%s%016x", segmentPrefix, first) }

type segment struct {
	first   uint64
	path    string
	f       *os.File
	offsets []int64 // where each record starts
	end     int64   // just past the last record, buffered ones included
	size    int64   // preallocated
	// zeroed: the file's bytes up to here have been written (records or
	// zeros). Beyond it the preallocated space is unwritten, and the
	// first write there changes the file's block map, which an fsync
	// must then commit through the file system's journal.
	zeroed int64
	dirty  bool // written since the last fsync
}

// Store is a log and a set of named files in one directory.
type Store struct {
	dir  string
	cfg  Config
	dirf *os.File
	segs []*segment // by first index; never empty; appends go to the last
	// buf holds encoded records of the last segment not yet written; they
	// belong at the file offset last.end-len(buf).
	buf      []byte
	dirDirty bool // segments created since the directory's last fsync
	torn     bool // Open cut a torn tail
	err      error
}

var _ protocol.Storage = (*Store)(nil)

// Open opens the store in dir, creating it if needed, and recovers the
// log: a torn or corrupt tail (a damaged record with nothing valid after
// it) is cut and reported by Load and Config.Logf; damage before the
// tail fails with ErrCorrupt naming the segment file and offset.
// Temporary files a crash left behind are removed: the file they were to
// replace is intact.
func Open(dir string, cfg Config) (*Store, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	dirf, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	s := &Store{dir: dir, cfg: cfg, dirf: dirf}
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

func (s *Store) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

func (s *Store) recover() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	var found []*segment
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, tmpSuffix):
			if err := os.Remove(filepath.Join(s.dir, name)); err != nil {
				return fmt.Errorf("storage: %w", err)
			}
			s.logf("storage: removed %s, left by a crash before its rename", name)
			s.dirDirty = true
		case strings.HasPrefix(name, segmentPrefix):
			hex := strings.TrimPrefix(name, segmentPrefix)
			first, err := strconv.ParseUint(hex, 16, 64)
			if err != nil || len(hex) != 16 {
				return fmt.Errorf("%w: %s is not a segment name", ErrCorrupt, filepath.Join(s.dir, name))
			}
			found = append(found, &segment{first: first, path: filepath.Join(s.dir, name)})
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].first < found[j].first })

	// Walk the segments in order. damaged marks the first bad spot; a
	// valid record anywhere after it makes it corruption.
	var (
		next    uint64
		damaged = -1 // index into found
		cutAt   int64
	)
	for i, seg := range found {
		b, err := os.ReadFile(seg.path)
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		sc := decodeSegment(b, seg.first, s.cfg.MaxRecord)
		valid := len(sc.records) > 0 || sc.validAfter >= 0
		switch {
		case damaged >= 0 && valid:
			return fmt.Errorf("%w: %s offset %d: damaged record with valid ones after it in %s",
				ErrCorrupt, found[damaged].path, cutAt, seg.path)
		case seg.first != next && valid:
			// Records are missing before the segment, or it overlaps
			// the one before.
			return fmt.Errorf("%w: %s offset 0: segment starts at record %d, want %d", ErrCorrupt, seg.path, seg.first, next)
		case seg.first != next:
			if damaged < 0 {
				damaged, cutAt = i, 0
			}
			continue
		case sc.validAfter >= 0:
			return fmt.Errorf("%w: %s offset %d: damaged record %d with a valid record at offset %d after it",
				ErrCorrupt, seg.path, sc.end, next+uint64(len(sc.records)), sc.validAfter)
		}
		seg.offsets, seg.end = sc.offsets, sc.end
		next += uint64(len(sc.records))
		if sc.damaged && damaged < 0 {
			damaged, cutAt = i, sc.end
		}
	}

	keep := len(found)
	if damaged >= 0 {
		s.torn = true
		d := found[damaged]
		if cutAt == 0 {
			// Nothing of it is kept, and its name may not even fit the
			// log: drop the whole file.
			keep = damaged
		} else {
			keep = damaged + 1
		}
		s.logf("storage: cut a torn tail at %s offset %d: the log ends at record %d", d.path, cutAt, next)
		for _, seg := range found[keep:] {
			if err := os.Remove(seg.path); err != nil {
				return fmt.Errorf("storage: %w", err)
			}
			s.dirDirty = true
		}
	}
	found = found[:keep]
	if len(found) == 0 {
		found = []*segment{{first: 0, path: filepath.Join(s.dir, segmentName(0))}}
	}
	for _, seg := range found {
		flag := os.O_RDWR
		if seg == found[len(found)-1] {
			flag |= os.O_CREATE
		}
		f, err := os.OpenFile(seg.path, flag, 0o644)
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		seg.f = f
		s.segs = append(s.segs, seg)
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		seg.size = fi.Size()
	}
	last := found[len(found)-1]
	if damaged >= 0 || last.size < s.cfg.SegmentSize {
		// Zero everything after the last record (the cut tail, or the
		// space a crash kept from being preallocated), durably, so the
		// next start finds a clean end.
		if err := s.resize(last, last.end); err != nil {
			return err
		}
		if err := last.f.Sync(); err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		s.dirDirty = true
	}
	if s.dirDirty {
		if err := s.syncDir(); err != nil {
			return err
		}
	}
	return nil
}

// resize cuts seg at off and preallocates it again to at least the
// configured size, so everything from off on reads as zeros.
func (s *Store) resize(seg *segment, off int64) error {
	size := max(seg.size, s.cfg.SegmentSize)
	if err := seg.f.Truncate(off); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	// A full segment has nothing to preallocate, and fallocate refuses
	// a zero length.
	if size > off {
		if err := preallocate(seg.f, off, size-off); err != nil {
			return fmt.Errorf("storage: preallocate %s: %w", seg.path, err)
		}
	}
	seg.size = size
	seg.zeroed = off
	return nil
}

func (s *Store) syncDir() error {
	if err := s.dirf.Sync(); err != nil {
		return fmt.Errorf("storage: fsync %s: %w", s.dir, err)
	}
	s.dirDirty = false
	return nil
}

// Len is the number of records in the log.
func (s *Store) Len() int {
	last := s.segs[len(s.segs)-1]
	return int(last.first) + len(last.offsets)
}

// fail makes err sticky: see Config.Failed.
func (s *Store) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	if s.cfg.Failed != nil {
		s.cfg.Failed(s.err)
	}
}

// Append adds a record at the end of the log. It is buffered: the next
// Sync writes and fsyncs it.
func (s *Store) Append(record []byte) error {
	if s.err != nil {
		return s.err
	}
	if len(record) > s.cfg.MaxRecord {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrRecordTooLarge, len(record), s.cfg.MaxRecord)
	}
	size := int64(recordSize(len(record)))
	last := s.segs[len(s.segs)-1]
	if last.end+size > last.size {
		if err := s.roll(); err != nil {
			s.err = err
			return err
		}
		last = s.segs[len(s.segs)-1]
	}
	s.buf = appendRecord(s.buf, uint64(s.Len()), record)
	last.offsets = append(last.offsets, last.end)
	last.end += size
	if len(s.buf) >= flushAt {
		if err := s.flush(); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// roll starts a new segment for the next record.
func (s *Store) roll() error {
	if err := s.flush(); err != nil {
		return err
	}
	first := uint64(s.Len())
	path := filepath.Join(s.dir, segmentName(first))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	seg := &segment{first: first, path: path, f: f, dirty: true}
	if err := s.resize(seg, 0); err != nil {
		f.Close()
		return err
	}
	s.segs = append(s.segs, seg)
	s.dirDirty = true
	return nil
}

func (s *Store) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	last := s.segs[len(s.segs)-1]
	if _, err := last.f.WriteAt(s.buf, last.end-int64(len(s.buf))); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if last.end > last.zeroed {
		last.zeroed = last.end
	}
	if last.zeroed-last.end < zeroAhead/2 && last.zeroed < last.size {
		n := min(int64(zeroAhead), last.size-last.zeroed)
		if _, err := last.f.WriteAt(zeroChunk[:n], last.zeroed); err != nil {
			return fmt.Errorf("storage: %w", err)
		}
		last.zeroed += n
	}
	s.buf = s.buf[:0]
	last.dirty = true
	return nil
}

// Truncate keeps the first keep records. Unlike an append it is durable
// when it returns: truncations are rare (a follower syncing with a new
// leader), and one only partly on disk could mix old and new records
// after a crash.
func (s *Store) Truncate(keep int) error {
	if s.err != nil {
		return s.err
	}
	n := s.Len()
	if keep < 0 || keep > n {
		return fmt.Errorf("%w: keep %d of %d records", ErrOutOfRange, keep, n)
	}
	if keep == n {
		return nil
	}
	if err := s.truncate(uint64(keep)); err != nil {
		s.err = err
		return err
	}
	return nil
}

func (s *Store) truncate(keep uint64) error {
	if err := s.flush(); err != nil {
		return err
	}
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].first > keep }) - 1
	for _, seg := range s.segs[i+1:] {
		seg.f.Close()
		if err := os.Remove(seg.path); err != nil {
			return fmt.Errorf("storage: %w", err)
		}
	}
	s.segs = s.segs[:i+1]
	seg := s.segs[i]
	off := seg.offsets[keep-seg.first]
	if err := s.resize(seg, off); err != nil {
		return err
	}
	seg.offsets = seg.offsets[:keep-seg.first]
	seg.end = off
	if err := seg.f.Sync(); err != nil {
		return fmt.Errorf("storage: fsync %s: %w", seg.path, err)
	}
	seg.dirty = false
	return s.syncDir()
}

// Sync writes and fsyncs everything appended before it, then calls done
// before returning.
func (s *Store) Sync(done func()) {
	if err := s.sync(); err != nil {
		s.fail(err)
		return
	}
	done()
}

func (s *Store) sync() error {
	if s.err != nil {
		return s.err
	}
	if err := s.flush(); err != nil {
		return err
	}
	for _, seg := range s.segs {
		if !seg.dirty {
			continue
		}
		if err := datasync(seg.f); err != nil {
			return fmt.Errorf("storage: fsync %s: %w", seg.path, err)
		}
		seg.dirty = false
	}
	if s.dirDirty {
		return s.syncDir()
	}
	return nil
}

// checkName refuses names that would leave the directory or collide with
// the store's own files.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") ||
		strings.HasPrefix(name, segmentPrefix) || strings.HasSuffix(name, tmpSuffix) {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	return nil
}

// WriteFile replaces a named file atomically and durably: temporary
// file, fsync, rename, fsync of the directory. Then it calls done. A bad
// name (ErrBadName) fails the store as an I/O error would, since there is
// no error to return.
func (s *Store) WriteFile(name string, data []byte, done func()) {
	if err := s.writeFile(name, data); err != nil {
		s.fail(err)
		return
	}
	done()
}

func (s *Store) writeFile(name string, data []byte) error {
	if s.err != nil {
		return s.err
	}
	if err := checkName(name); err != nil {
		return err
	}
	path := filepath.Join(s.dir, name)
	tmp := path + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("storage: write %s: %w", name, err)
	}
	return s.syncDir()
}

// RemoveFile deletes a named file durably, then calls done. A file that
// does not exist is already removed.
func (s *Store) RemoveFile(name string, done func()) {
	if err := s.removeFile(name); err != nil {
		s.fail(err)
		return
	}
	done()
}

func (s *Store) removeFile(name string) error {
	if s.err != nil {
		return s.err
	}
	if err := checkName(name); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: %w", err)
	}
	return s.syncDir()
}

// Load reads the log and the named files back. TornTail reports whether
// Open cut a torn tail.
func (s *Store) Load() (protocol.Recovered, error) {
	if s.err != nil {
		return protocol.Recovered{}, s.err
	}
	if err := s.flush(); err != nil {
		s.err = err
		return protocol.Recovered{}, err
	}
	out := protocol.Recovered{Records: make([][]byte, 0, s.Len()), Files: map[string][]byte{}, TornTail: s.torn}
	for _, seg := range s.segs {
		b := make([]byte, seg.end)
		if _, err := seg.f.ReadAt(b, 0); err != nil {
			return protocol.Recovered{}, fmt.Errorf("storage: read %s: %w", seg.path, err)
		}
		sc := decodeSegment(b, seg.first, s.cfg.MaxRecord)
		if len(sc.records) != len(seg.offsets) {
			return protocol.Recovered{}, fmt.Errorf("%w: %s offset %d: record %d changed since it was written",
				ErrCorrupt, seg.path, sc.end, seg.first+uint64(len(sc.records)))
		}
		out.Records = append(out.Records, sc.records...)
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return protocol.Recovered{}, fmt.Errorf("storage: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || checkName(e.Name()) != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.dir, e.Name()))
		if err != nil {
			return protocol.Recovered{}, fmt.Errorf("storage: %w", err)
		}
		out.Files[e.Name()] = b
	}
	return out, nil
}

// Close writes what is buffered and closes the files, without an fsync:
// like a process exit, it leaves unsynced data to the OS.
func (s *Store) Close() error {
	if errors.Is(s.err, ErrClosed) {
		return nil
	}
	err := s.flush()
	s.closeFiles()
	s.err = ErrClosed
	return err
}

func (s *Store) closeFiles() {
	for _, seg := range s.segs {
		seg.f.Close()
	}
	s.dirf.Close()
}
