package protocol

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"
)

// TestInteraction runs the scripted schedules in testdata/*.txt, each
// message and state change on one line. Regenerate with -rewrite after a
// deliberate change, and read the diff.
//
// Commands:
//
//	ensemble voters=1,2,3 [observers=4] [committed-log=N]
//	start [ids=1,2]            (default: every server)
//	crash ids=3
//	tick [n=1] [ids=...]      tick, then deliver everything in flight
//	run ticks=N [quiet]       tick every live server N times
//	until-leader [max=N] [not=3] [ids=1,2] [quiet]  (ids: who must serve)
//	propose id=3 [n=1]
//	partition groups=1,2/3    (servers in different groups cannot talk)
//	heal
//	status
func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var h *harness
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd != "ensemble" {
				require.NotNil(t, h, "%s: no ensemble yet", d.Pos)
				h.out.Reset()
				h.quiet = d.HasArg("quiet")
			}
			switch d.Cmd {
			case "ensemble":
				cfg := testConfig()
				var voters, observers []uint64
				for _, a := range d.CmdArgs {
					switch a.Key {
					case "voters":
						voters = parseIDs(t, strings.Join(a.Vals, ","))
					case "observers":
						observers = parseIDs(t, strings.Join(a.Vals, ","))
					case "committed-log":
						n, err := strconv.Atoi(a.Vals[0])
						require.NoError(t, err)
						cfg.CommittedLogMax, cfg.TxnLogSyncMax = n, 0
					}
				}
				h = newHarness(t, voters, observers, cfg)
				return "ok\n"
			case "start":
				ids := argIDs(t, d, h.ids)
				for _, id := range ids {
					h.start(id)
				}
				h.stabilize()
			case "crash":
				for _, id := range argIDs(t, d, nil) {
					h.crash(id)
				}
				h.stabilize()
			case "tick":
				n := argInt(t, d, "n", 1)
				ids := argIDs(t, d, nil)
				for i := 0; i < n; i++ {
					if ids == nil {
						h.tick(h.upIDs())
					} else {
						h.tick(ids)
					}
				}
			case "run":
				for i := argInt(t, d, "ticks", 1); i > 0; i-- {
					h.tick(h.upIDs())
				}
			case "until-leader":
				not := uint64(argInt(t, d, "not", 0))
				serving := argIDs(t, d, nil)
				ok := h.runUntil(argInt(t, d, "max", 500), func() bool {
					l := h.leaders()
					if len(l) != 1 || l[0] == not {
						return false
					}
					if serving == nil {
						serving = h.upIDs()
					}
					for _, id := range serving {
						if !h.nodes[id].peer.Status().Serving {
							return false
						}
					}
					return true
				})
				if !ok {
					h.printf("no single serving leader")
				}
			case "propose":
				h.propose(uint64(argInt(t, d, "id", 0)), argInt(t, d, "n", 1))
				h.stabilize()
			case "partition":
				arg, ok := d.Arg("groups")
				require.True(t, ok, "partition needs groups=")
				var groups [][]uint64
				for _, g := range strings.Split(strings.Join(arg.Vals, ","), "/") {
					groups = append(groups, parseIDs(t, g))
				}
				h.partition(groups)
			case "heal":
				h.partition(nil)
			case "status":
				h.status()
			default:
				t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			}
			if h.out.Len() == 0 {
				return "ok\n"
			}
			return h.out.String()
		})
	})
}

func argInt(t *testing.T, d *datadriven.TestData, key string, dflt int) int {
	a, ok := d.Arg(key)
	if !ok {
		return dflt
	}
	n, err := strconv.Atoi(a.Vals[0])
	require.NoError(t, err, "%s: %s=%s", d.Pos, key, a.Vals[0])
	return n
}

func argIDs(t *testing.T, d *datadriven.TestData, dflt []uint64) []uint64 {
	a, ok := d.Arg("ids")
	if !ok {
		return dflt
	}
	return parseIDs(t, strings.Join(a.Vals, ","))
}
