package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func diskWorld(seed uint64, cfg DiskConfig) (*Sim, *Disk) {
	s, _ := world(seed, 1, 0, &cfg)
	return s, s.Node(0).Disk()
}

func appendN(t *testing.T, d *Disk, from, to int) {
	for i := from; i < to; i++ {
		_, err := d.Append([]byte(fmt.Sprintf("record-%d", i)))
		require.NoError(t, err)
	}
}

func loadStrings(t *testing.T, d *Disk) ([]string, Recovery) {
	recs, rec, err := d.Load()
	require.NoError(t, err)
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r)
	}
	return out, rec
}

func TestSyncedDataSurvivesCrash(t *testing.T) {
	cfg := DefaultDisk
	cfg.KeepUnsynced = 0 // everything unsynced is lost
	s, d := diskWorld(1, cfg)
	appendN(t, d, 0, 3)
	synced := false
	d.Sync(func() { synced = true })
	appendN(t, d, 3, 5) // issued after the sync: not covered
	require.NoError(t, s.RunFor(time.Second))
	require.True(t, synced)
	require.Equal(t, 3, d.DurableLen())
	require.Equal(t, 5, d.Len())
	s.Node(0).Crash()
	got, rec := loadStrings(t, d)
	require.Equal(t, []string{"record-0", "record-1", "record-2"}, got)
	require.False(t, rec.TornTail)
}

func TestUnsyncedRecordsKeptWithProbability(t *testing.T) {
	for _, keep := range []float64{0, 0.5, 1} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			cfg := DefaultDisk
			cfg.KeepUnsynced = keep
			cfg.Torn = 0
			kept := 0
			const trials = 2000
			for seed := uint64(0); seed < trials; seed++ {
				s, d := diskWorld(seed, cfg)
				appendN(t, d, 0, 1)
				require.NoError(t, s.RunFor(time.Second)) // written, never synced
				s.Node(0).Crash()
				kept += d.Len()
			}
			rate := float64(kept) / trials
			require.InDelta(t, keep, rate, 0.05)
		})
	}
}

func TestUnsyncedSurvivorsFormAPrefix(t *testing.T) {
	cfg := DefaultDisk
	cfg.KeepUnsynced = 0.7
	cfg.Torn = 0
	for seed := uint64(0); seed < 200; seed++ {
		s, d := diskWorld(seed, cfg)
		appendN(t, d, 0, 20)
		require.NoError(t, s.RunFor(time.Second))
		s.Node(0).Crash()
		got, _ := loadStrings(t, d)
		for i, r := range got {
			require.Equal(t, fmt.Sprintf("record-%d", i), r, "seed %d", seed)
		}
	}
}

func TestPendingWritesDieWithTheNode(t *testing.T) {
	cfg := DefaultDisk
	cfg.KeepUnsynced = 1
	s, d := diskWorld(1, cfg)
	appendN(t, d, 0, 2) // not yet written: the crash comes first
	s.Node(0).Crash()
	require.NoError(t, s.RunFor(time.Second))
	require.Equal(t, 0, d.Len())
}

func TestTornRecordIsDetectedAndNeverReturned(t *testing.T) {
	cfg := DefaultDisk
	cfg.KeepUnsynced = 1
	cfg.Torn = 1
	s, d := diskWorld(4, cfg)
	appendN(t, d, 0, 2)
	d.Sync(nil)
	require.NoError(t, s.RunFor(time.Second))
	appendN(t, d, 2, 4)
	require.NoError(t, s.RunFor(time.Second))
	s.Node(0).Crash()
	got, rec := loadStrings(t, d)
	require.True(t, rec.TornTail)
	require.Equal(t, []string{"record-0", "record-1", "record-2"}, got, "the torn record-3 is cut off")
	require.Equal(t, 3, d.Len(), "recovery truncated the torn tail")
}

func TestCorruptionBeforeTheTailIsAnError(t *testing.T) {
	s, d := diskWorld(4, DefaultDisk)
	appendN(t, d, 0, 4)
	d.Sync(nil)
	require.NoError(t, s.RunFor(time.Second))
	require.True(t, d.Corrupt(1))
	recs, _, err := d.Load()
	require.ErrorIs(t, err, ErrCorrupt)
	require.Contains(t, err.Error(), "record 1 of 4")
	require.Len(t, recs, 1, "only records before the damage are returned")
	require.False(t, d.Corrupt(99))
}

func TestTruncateIsDurableOnlyAfterSync(t *testing.T) {
	cfg := DefaultDisk
	cfg.KeepUnsynced = 0 // an unsynced truncation is always lost
	s, d := diskWorld(2, cfg)
	appendN(t, d, 0, 4)
	d.Sync(nil)
	require.NoError(t, s.RunFor(time.Second))
	d.Truncate(2)
	appendN(t, d, 2, 3)
	require.NoError(t, s.RunFor(time.Second))
	s.Node(0).Crash()
	got, _ := loadStrings(t, d)
	require.Equal(t, []string{"record-0", "record-1", "record-2", "record-3"}, got, "the old tail is back")

	d.Truncate(2)
	d.Sync(nil)
	require.NoError(t, s.RunFor(time.Second))
	s.Node(0).Restart()
	s.Node(0).Crash()
	got, _ = loadStrings(t, d)
	require.Equal(t, []string{"record-0", "record-1"}, got)
}

func TestAppendFsyncAndReactionAreSeparateEvents(t *testing.T) {
	s, d := diskWorld(2, DefaultDisk)
	var kinds []TraceKind
	s.Observe(func(e TraceEvent) {
		if e.Node == 0 {
			kinds = append(kinds, e.Kind)
		}
	})
	appendN(t, d, 0, 1)
	reacted := false
	d.Sync(func() { reacted = true })
	// Run until the fsync is complete, then crash before the reaction.
	require.NoError(t, s.RunUntil(func() bool { return d.DurableLen() == 1 }, 100))
	require.False(t, reacted, "the reaction is its own event")
	s.Node(0).Crash()
	require.NoError(t, s.RunFor(time.Second))
	require.False(t, reacted, "a crash between fsync and reaction cancels the reaction")
	require.Equal(t, 1, d.Len(), "but the data is durable")
	require.Equal(t, []TraceKind{TraceDiskWrite, TraceDiskSync, TraceCrash, TraceDiskLost}, kinds)
}

func TestFilesAreAtomic(t *testing.T) {
	s, d := diskWorld(2, DefaultDisk)
	done := 0
	d.WriteFile("currentEpoch", []byte("1"), func() { done++ })
	require.NoError(t, s.RunFor(time.Second))
	require.Equal(t, 1, done)
	d.WriteFile("currentEpoch", []byte("2"), func() { done++ })
	s.Node(0).Crash() // before completion: the old content stays
	got, err := d.ReadFile("currentEpoch")
	require.NoError(t, err)
	require.Equal(t, "1", string(got))
	_, err = d.ReadFile("acceptedEpoch")
	require.ErrorIs(t, err, ErrNotExist)
	require.Equal(t, []string{"currentEpoch"}, d.Files())
	require.True(t, d.CorruptFile("currentEpoch"))
	_, err = d.ReadFile("currentEpoch")
	require.ErrorIs(t, err, ErrCorrupt)

	s.Node(0).Restart()
	d.RemoveFile("currentEpoch", nil)
	require.NoError(t, s.RunFor(time.Second))
	require.Empty(t, d.Files())
}

func TestDiskLimits(t *testing.T) {
	cfg := DefaultDisk
	cfg.RecordsMax = 2
	cfg.RecordBytesMax = 4
	_, d := diskWorld(1, cfg)
	_, err := d.Append([]byte("12345"))
	require.ErrorIs(t, err, ErrDiskFull)
	_, err = d.Append([]byte("1"))
	require.NoError(t, err)
	_, err = d.Append([]byte("2"))
	require.NoError(t, err)
	_, err = d.Append([]byte("3"))
	require.ErrorIs(t, err, ErrDiskFull)
	require.Error(t, d.SetConfig(DiskConfig{WriteMin: 2, WriteMax: 1}))
}
