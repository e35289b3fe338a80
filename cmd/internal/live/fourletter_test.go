package live

import (
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func TestFourLetterWords(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	c, _ := connect(t, e.ClientAddrs(), 2*time.Second)
	_, err := c.Create("/4lw", nil, 0, zk.WorldACL(zk.PermAll))
	mustf(t, err, "create")
	addrs := e.ClientAddrs()

	if got := fourLetter(t, addrs[0], "ruok"); got != "imok" {
		t.Errorf("ruok = %q", got)
	}
	stats, ok := zk.FLWSrvr(addrs, 5*time.Second)
	if !ok {
		t.Fatalf("go-zookeeper cannot parse srvr: %+v", stats[0].Error)
	}
	leaders := 0
	for _, s := range stats {
		if s.Mode == zk.ModeLeader {
			leaders++
		}
		if s.NodeCount < 4 { // /, /zookeeper, its config and quota, /4lw
			t.Errorf("%s: node count %d", s.Server, s.NodeCount)
		}
	}
	if leaders != 1 {
		t.Errorf("srvr shows %d leaders", leaders)
	}
	on := c.Server()
	cons, ok := zk.FLWCons([]string{on}, 5*time.Second)
	if !ok || len(cons[0].Clients) != 1 || cons[0].Clients[0].SessionID != c.SessionID() {
		t.Errorf("cons on %s: ok=%v %+v", on, ok, cons[0])
	}
	for word, want := range map[string]string{
		"stat": "Clients:\n /127.0.0.1:",
		"mntr": "zk_server_state\t",
		"conf": "membership: \nserver.1=127.0.0.1:",
		"envi": "Environment:\nzookeeper.version=" + Version,
		"isro": "rw",
	} {
		if got := fourLetter(t, on, word); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", word, got, want)
		}
	}
}

func TestFourLetterWhitelist(t *testing.T) {
	t.Parallel()
	e, err := StartEnsemble(EnsembleConfig{Servers: 1, Dir: t.TempDir(), TickTime: testTickTime, Logf: testLogf(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	addr := e.ClientAddrs()[0]
	// ZooKeeper's default whitelist is srvr alone; a word it does not
	// know closes the connection without an answer.
	if got := fourLetter(t, addr, "ruok"); got != "ruok is not executed because it is not in the whitelist.\n" {
		t.Errorf("ruok off the whitelist = %q", got)
	}
	if got := fourLetter(t, addr, "xyzw"); got != "" {
		t.Errorf("unknown word = %q", got)
	}
	mustf(t, e.WaitServing(20*time.Second), "serving")
	if got := fourLetter(t, addr, "srvr"); !strings.Contains(got, "Mode: standalone\n") {
		t.Errorf("srvr = %q", got)
	}
}
