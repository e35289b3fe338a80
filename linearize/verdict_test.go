package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVerdictBoundsEvidenceAndSortsChecks(t *testing.T) {
	var v Verdict
	require.True(t, v.OK())
	require.Equal(t, "ok", v.String())
	for range evidenceMax + 3 {
		v.Add(violation(TotalOrder, []string{"e"}, "x"))
	}
	v.Add(violation(Integrity, nil, "y"))
	require.False(t, v.OK())
	require.Equal(t, []Check{Integrity, TotalOrder}, v.Failed())
	lines := v.Lines()
	require.Len(t, lines, evidenceMax+2)
	require.Equal(t, "integrity: y", lines[0])
	require.Equal(t, "total-order: x [e]", lines[1])
	require.Equal(t, "total-order: 3 more violations not shown", lines[len(lines)-1])
}

func TestCheckRunGathersEveryCheck(t *testing.T) {
	zab := healthyZab()
	zab.Leaders = append(zab.Leaders, Establishment{Epoch: 2, Sid: 3, Time: 101, History: zab.Leaders[1].History})
	v, lin, err := CheckRun(Run{
		History: []Operation{
			done(0, 1, create("/a", "x"), 0, 5, created("/a"), z(1)),
			done(0, 2, setData("/a", "y", 0), 6, 10, version(1), z(2)),
			done(0, 3, getData("/a"), 20, 30, data("x", 0), z(1)),
		},
		Truth:    twoWrites(t),
		Zab:      zab,
		Watches:  []SessionStream{{Session: 0x100, Items: []StreamItem{{Kind: ItemNotified, Path: "/a", Event: EventDataChanged, Zxid: z(2)}}}},
		Liveness: &Liveness{Heal: 0, Served: Infinity, Bound: 50, End: 100},
	})
	require.NoError(t, err)
	require.NotNil(t, lin)
	require.Equal(t, []Check{LivenessLeader, OneLeaderPerEpoch, ReadYourWrites, SessionZxidMonotone, WatchOnce}, v.Failed())
}
