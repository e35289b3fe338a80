package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/internal/storagetest"
)

// harnessStore gives the conformance suite a way to reopen a Store.
type harnessStore struct {
	*Store
	dir string
	cfg Config
}

// Drain does nothing: every completion runs before its call returns.
func (*harnessStore) Drain(*testing.T) {}

func (h *harnessStore) Reopen(t *testing.T) storagetest.Store {
	require.NoError(t, h.Close())
	st, err := Open(h.dir, h.cfg)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return &harnessStore{Store: st, dir: h.dir, cfg: h.cfg}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{
		{SegmentSize: 4096}, // many segments: records cross no boundary, truncations span files
		{},                  // the defaults
	} {
		cfg.Logf = t.Logf
		require.NoError(t, cfg.fill())
		t.Run(fmt.Sprintf("segment=%d", cfg.SegmentSize), func(t *testing.T) {
			storagetest.Run(t, storagetest.Harness{
				New: func(t *testing.T) storagetest.Store {
					dir := t.TempDir()
					st, err := Open(dir, cfg)
					require.NoError(t, err)
					t.Cleanup(func() { st.Close() })
					return &harnessStore{Store: st, dir: dir, cfg: cfg}
				},
				MaxRecord:   cfg.MaxRecord,
				ErrTooLarge: ErrRecordTooLarge,
			})
		})
	}
}

// logger collects Logf lines.
type logger struct{ lines []string }

func (l *logger) logf(format string, args ...any) {
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logger) String() string { return strings.Join(l.lines, "\n") }

// build writes records to a fresh store in dir, syncs and closes it.
func build(t *testing.T, dir string, cfg Config, recs ...string) {
	t.Helper()
	st, err := Open(dir, cfg)
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, st.Append([]byte(r)))
	}
	synced := false
	st.Sync(func() { synced = true })
	require.True(t, synced)
	require.NoError(t, st.Close())
}

func loadStrings(t *testing.T, st *Store) ([]string, bool) {
	t.Helper()
	rec, err := st.Load()
	require.NoError(t, err)
	out := make([]string, len(rec.Records))
	for i, r := range rec.Records {
		out[i] = string(r)
	}
	return out, rec.TornTail
}

// patch overwrites a segment file at off.
func patch(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(b, off)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

var seg0 = segmentName(0)

// Records "a", "bb", "ccc" take 24 bytes each: they sit at 0, 24, 48.
func TestTornTailIsCut(t *testing.T) {
	third := appendRecord(nil, 2, []byte("ccc"))
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		want   []string
	}{
		{"file cut mid-record", func(t *testing.T, path string) { require.NoError(t, os.Truncate(path, 48+20)) }, []string{"a", "bb"}},
		{"payload torn", func(t *testing.T, path string) { patch(t, path, 48+headerSize, []byte("x")) }, []string{"a", "bb"}},
		{"header torn", func(t *testing.T, path string) { patch(t, path, 48+4, []byte{0, 0, 0, 0}) }, []string{"a", "bb"}},
		{"garbage after the last record", func(t *testing.T, path string) { patch(t, path, 72+3, []byte("garbage")) }, []string{"a", "bb", "ccc"}},
		{"record written half", func(t *testing.T, path string) { patch(t, path, 72, third[:10]) }, []string{"a", "bb", "ccc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			build(t, dir, Config{}, "a", "bb", "ccc")
			tc.damage(t, filepath.Join(dir, seg0))

			var log logger
			st, err := Open(dir, Config{Logf: log.logf})
			require.NoError(t, err)
			got, torn := loadStrings(t, st)
			require.Equal(t, tc.want, got)
			require.True(t, torn)
			require.Contains(t, log.String(), "torn tail at "+filepath.Join(dir, seg0))

			// The cut is durable and the log goes on after it.
			require.NoError(t, st.Append([]byte("d")))
			st.Sync(func() {})
			require.NoError(t, st.Close())
			st, err = Open(dir, Config{})
			require.NoError(t, err)
			got, torn = loadStrings(t, st)
			require.Equal(t, append(tc.want, "d"), got)
			require.False(t, torn)
			require.NoError(t, st.Close())
		})
	}
}

func TestCorruptionBeforeTail(t *testing.T) {
	small := Config{SegmentSize: 4096}
	seg1 := segmentName(2)
	for _, tc := range []struct {
		name    string
		cfg     Config
		records []string
		file    string
		off     int64 // where to flip a byte
		bad     string
	}{
		{"length", Config{}, []string{"a", "bb", "ccc"}, seg0, 0, seg0 + " offset 0"},
		{"checksum", Config{}, []string{"a", "bb", "ccc"}, seg0, 5, seg0 + " offset 0"},
		{"index", Config{}, []string{"a", "bb", "ccc"}, seg0, 24 + 8, seg0 + " offset 24"},
		{"payload", Config{}, []string{"a", "bb", "ccc"}, seg0, 24 + headerSize, seg0 + " offset 24"},
		// Two 2030-byte records (2048 bytes each) fill segment 0; damage
		// to the second is corruption because the next segment holds a
		// valid record.
		{"end of a full segment", small, []string{strings.Repeat("x", 2030), strings.Repeat("y", 2030), "z"}, seg0, 2048 + 100, seg0 + " offset 2048"},
		{"first record of a later segment", small, []string{strings.Repeat("x", 2030), strings.Repeat("y", 2030), "z", "w"}, seg1, 20, seg1 + " offset 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			build(t, dir, tc.cfg, tc.records...)
			path := filepath.Join(dir, tc.file)
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			patch(t, path, tc.off, []byte{b[tc.off] ^ 0x40})

			_, err = Open(dir, tc.cfg)
			require.ErrorIs(t, err, ErrCorrupt)
			require.Contains(t, err.Error(), filepath.Join(dir, tc.bad))
		})
	}
}

// A lost segment in the middle leaves a gap that no cut can explain.
func TestMissingSegmentIsCorruption(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{SegmentSize: 4096}
	recs := make([]string, 10)
	for i := range recs {
		recs[i] = strings.Repeat(fmt.Sprint(i), 1500)
	}
	build(t, dir, cfg, recs...)
	require.NoError(t, os.Remove(filepath.Join(dir, segmentName(2))))
	_, err := Open(dir, cfg)
	require.ErrorIs(t, err, ErrCorrupt)
	require.Contains(t, err.Error(), segmentName(4)+" offset 0")
}

// A crash after the temporary file was written but before the rename
// leaves the old file, and Open removes the temporary one.
func TestCrashBeforeRename(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, Config{})
	require.NoError(t, err)
	st.WriteFile("currentEpoch", []byte("1"), func() {})
	require.NoError(t, st.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "currentEpoch"+tmpSuffix), []byte("2"), 0o644))

	var log logger
	st, err = Open(dir, Config{Logf: log.logf})
	require.NoError(t, err)
	defer st.Close()
	rec, err := st.Load()
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"currentEpoch": []byte("1")}, rec.Files)
	require.NoFileExists(t, filepath.Join(dir, "currentEpoch"+tmpSuffix))
	require.Contains(t, log.String(), "currentEpoch.tmp")
}

// A file operation that fails never calls done, reports through Failed,
// and leaves the store refusing everything after it.
func TestFailedFileOperationIsSticky(t *testing.T) {
	for _, name := range []string{"", ".", "..", "../escape", "a/b", "log.0000000000000000", "x.tmp", "nul\x00"} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			var failed []error
			st, err := Open(t.TempDir(), Config{Failed: func(err error) { failed = append(failed, err) }})
			require.NoError(t, err)
			defer st.Close()
			st.WriteFile(name, []byte("x"), func() { t.Error("done called") })
			require.Len(t, failed, 1)
			require.ErrorIs(t, failed[0], ErrBadName)
			require.ErrorIs(t, st.Append([]byte("r")), ErrBadName)
			st.Sync(func() { t.Error("done called") })
			st.RemoveFile("x", func() { t.Error("done called") })
			require.Len(t, failed, 3)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{SegmentSize: 8},
		{SegmentSize: 4096, MaxRecord: 4096},
		{MaxRecord: -1},
	} {
		_, err := Open(t.TempDir(), cfg)
		require.Error(t, err, "%+v", cfg)
	}
}

// Records never span segments: each segment is named after its first
// record and all are preallocated to the configured size.
func TestSegmentsRoll(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{SegmentSize: 4096}
	recs := make([]string, 7)
	for i := range recs {
		recs[i] = strings.Repeat("r", 1500) // 1520 bytes: two per segment
	}
	build(t, dir, cfg, recs...)
	var names []string
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		names = append(names, e.Name())
		fi, err := e.Info()
		require.NoError(t, err)
		require.Equal(t, int64(4096), fi.Size(), e.Name())
	}
	require.Equal(t, []string{segmentName(0), segmentName(2), segmentName(4), segmentName(6)}, names)
}

// A torn first record of the last segment leaves nothing of that segment:
// the file goes, and the next append starts a new one.
func TestTornFirstRecordOfSegment(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{SegmentSize: 4096}
	x, y := strings.Repeat("x", 2030), strings.Repeat("y", 2030) // fill segment 0
	build(t, dir, cfg, x, y, "z")
	patch(t, filepath.Join(dir, segmentName(2)), headerSize, []byte("Z"))

	st, err := Open(dir, cfg)
	require.NoError(t, err)
	got, torn := loadStrings(t, st)
	require.Equal(t, []string{x, y}, got)
	require.True(t, torn)
	require.NoFileExists(t, filepath.Join(dir, segmentName(2)))

	require.NoError(t, st.Append([]byte("w")))
	st.Sync(func() {})
	require.NoError(t, st.Close())
	st, err = Open(dir, cfg)
	require.NoError(t, err)
	defer st.Close()
	got, torn = loadStrings(t, st)
	require.Equal(t, []string{x, y, "w"}, got)
	require.False(t, torn)
}

// After each Sync the log's segment is written (with zeros) a little
// ahead of its last record, a chunk at a time and never past its end, so
// that the next appends overwrite written blocks; the records still load
// after a reopen.
func TestZeroAhead(t *testing.T) {
	for _, recSize := range []int{100, 5000, 70_000} {
		t.Run(fmt.Sprintf("record=%d", recSize), func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{SegmentSize: 512 << 10}
			st, err := Open(dir, cfg)
			require.NoError(t, err)
			var want []string
			for i := range 60 {
				r := strings.Repeat(string(rune('a'+i%26)), recSize)
				require.NoError(t, st.Append([]byte(r)))
				want = append(want, r)
				if i%3 != 2 {
					continue
				}
				synced := false
				st.Sync(func() { synced = true })
				require.True(t, synced)
				last := st.segs[len(st.segs)-1]
				require.LessOrEqual(t, last.zeroed, last.size)
				require.GreaterOrEqual(t, last.zeroed, min(last.size, last.end+zeroAhead/2), "segment %s", last.path)
				require.Less(t, last.zeroed-last.end, int64(zeroAhead+zeroAhead/2), "zeroed more than a chunk ahead")
				b, err := os.ReadFile(last.path)
				require.NoError(t, err)
				require.Equal(t, make([]byte, last.zeroed-last.end), b[last.end:last.zeroed])
			}
			require.NoError(t, st.Close())
			st, err = Open(dir, cfg)
			require.NoError(t, err)
			got, torn := loadStrings(t, st)
			require.False(t, torn)
			require.Equal(t, want, got)
			require.NoError(t, st.Close())
		})
	}
}
