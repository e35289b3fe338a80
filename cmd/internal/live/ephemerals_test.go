package live

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/internal/zkserver"
)

// ephemeralOrderFile holds sessions that create and delete ephemerals,
// with ZooKeeper 3.8's getEphemerals answers: "p PATH" creates a
// persistent node, "session" opens a session and "close" closes it,
// "+ PATH" creates an ephemeral, "- PATH" deletes one, and
// "? PREFIX<TAB>PATHS" is a getEphemerals and its answer, comma-separated.
// tree's TestEphemeralOrderMatchesZooKeeper replays it on a bare tree.
const ephemeralOrderFile = "../../../tree/testdata/zk_ephemerals.txt"

// TestEphemeralOrderMatchesZooKeeper runs the sessions of
// ephemeralOrderFile on a zabsim ensemble and, when ZooKeeper is installed,
// on a standalone ZooKeeper 3.8, and requires the recorded answers, order
// included, from both. ZABSIM_RECORD_EPHEMERALS=1 records the file afresh
// from ZooKeeper (the sessions are drawn from a fixed seed).
func TestEphemeralOrderMatchesZooKeeper(t *testing.T) {
	if testing.Short() {
		t.Skip("starts ensembles")
	}
	if os.Getenv("ZABSIM_RECORD_EPHEMERALS") != "" {
		zk := zkserver.StartT(t)
		lines := runEphemeralScript(t, zk.Addr, ephemeralScript())
		content := "# Recorded from ZooKeeper 3.8.0 by cmd/internal/live's TestEphemeralOrderMatchesZooKeeper\n" +
			"# (ZABSIM_RECORD_EPHEMERALS=1); see ephemeralOrderFile there for the format.\n" +
			strings.Join(lines, "\n") + "\n"
		mustf(t, os.WriteFile(ephemeralOrderFile, []byte(content), 0o644), "writing %s", ephemeralOrderFile)
		return
	}
	raw, err := os.ReadFile(ephemeralOrderFile)
	mustf(t, err, "reading the recording")
	var want []string
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		if !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	sides := map[string]string{}
	e := startTestEnsemble(t, 3)
	sides["zabsim"] = e.ClientAddrs()[0]
	if zkserver.Available() || os.Getenv("CI") != "" {
		sides["ZooKeeper"] = zkserver.StartT(t).Addr
	}
	for name, addr := range sides {
		got := runEphemeralScript(t, addr, want)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: line %d:\n got %q\nwant %q", name, i+1, got[i], want[i])
			}
		}
	}
}

// ephemeralScript draws sessions whose sets grow to between 1 and 60
// paths (past the table sizes where a clone's order parts from its
// source's) and shrink again, with getEphemerals along the way.
func ephemeralScript() []string {
	r := rand.New(rand.NewPCG(7, 103))
	names := []string{"a", "k", "lock-", "member", "ü", "日本", "s-"}
	script := []string{"p /eo", "p /eo/a", "p /eo/b"}
	prefixes := []string{"/", "", "/eo", "/eo/a", "/eo/b", " /eo", "/eo/a/"}
	serial := 0
	for _, peak := range []int{1, 3, 7, 12, 13, 25, 40, 60} {
		script = append(script, "session")
		var live []string
		growing := true
		for range 3*peak + 10 {
			if growing && len(live) >= peak {
				growing = false
			}
			if !growing && len(live) == 0 {
				growing = true
			}
			if p := r.Float64(); (growing && p < 0.8) || (!growing && p < 0.2) {
				serial++
				path := fmt.Sprintf("/eo/%s/%s%d", []string{"a", "b"}[r.IntN(2)], names[r.IntN(len(names))], serial)
				live = append(live, path)
				script = append(script, "+ "+path)
			} else if len(live) > 0 {
				i := r.IntN(len(live))
				script = append(script, "- "+live[i])
				live = append(live[:i], live[i+1:]...)
			}
			if r.IntN(5) == 0 {
				script = append(script, "? "+prefixes[r.IntN(len(prefixes))])
			}
		}
		script = append(script, "? /", "close")
	}
	return script
}

// runEphemeralScript carries out script on the server at addr and returns
// it with each getEphemerals line completed by the answer.
func runEphemeralScript(t *testing.T, addr string, script []string) []string {
	t.Helper()
	var rc *rawClient
	out := make([]string, len(script))
	for i, line := range script {
		verb, arg, _ := strings.Cut(line, " ")
		out[i] = line
		var h wire.ReplyHeader
		switch verb {
		case "p":
			c := dialRaw(t, addr, 0, nil, 4000)
			h, _ = c.call(&wire.CreateRequest{Path: arg, Data: []byte{}, ACL: wire.WorldACL})
			if h.Err == wire.ErrNodeExists {
				h.Err = wire.ErrOK
			}
			c.call(&wire.CloseSessionRequest{})
		case "session":
			rc = dialRaw(t, addr, 0, nil, 30000)
		case "close":
			h, _ = rc.call(&wire.CloseSessionRequest{})
		case "+":
			h, _ = rc.call(&wire.CreateRequest{Path: arg, Data: []byte{}, ACL: wire.WorldACL, Flags: 1})
		case "-":
			h, _ = rc.call(&wire.DeleteRequest{Path: arg, Version: -1})
		case "?":
			prefix, _, _ := strings.Cut(arg, "\t")
			var body wire.Response
			h, body = rc.call(&wire.GetEphemeralsRequest{PrefixPath: prefix})
			if h.Err == wire.ErrOK {
				out[i] = "? " + prefix + "\t" + strings.Join(body.(*wire.GetEphemeralsResponse).Ephemerals, ",")
			}
		default:
			t.Fatalf("line %d: %q", i+1, line)
		}
		if h.Err != wire.ErrOK {
			t.Fatalf("%s: line %d %q: %v", addr, i+1, line, h.Err)
		}
	}
	return out
}
