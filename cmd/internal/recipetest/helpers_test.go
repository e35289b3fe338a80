package recipetest

import (
	"os"
	"testing"
	"time"

	"github.com/zabsim/zabsim/internal/testlog"
)

// sessionTimeout is within both ensembles' bounds: the live tests' tick
// of 200 ms allows 0.4 to 4 s, ZooKeeper's 2 s tick 4 to 40 s.
const sessionTimeout = 4 * time.Second

// verbose sends the servers' and go-zookeeper's logs to the test log.
var verbose = os.Getenv("ZABSIM_LIVE_VERBOSE") != ""

// logf is the test's log for servers and clients when verbose, else
// nothing.
func logf(t *testing.T) func(string, ...any) {
	if !verbose {
		return func(string, ...any) {}
	}
	return testlog.Logf(t)
}

// logger is go-zookeeper's Logger over logf.
type logger func(string, ...any)

func (l logger) Printf(format string, args ...any) { l("zk client: "+format, args...) }

// groups are the recipes every ensemble runs: the lock with an unfenced
// and with a fenced resource, and leader election, three clients each,
// for rounds and terms each; and a queue of two producers putting items
// each and two consumers.
func groups(rounds, terms, items int) []Group {
	return []Group{
		Locks("lock", 3, rounds, false),
		Locks("fenced-lock", 3, rounds, true),
		Elections("election", 3, terms),
		Queue("queue", 2, items),
	}
}

// faultAfter: the fault comes once every group is this many rounds in,
// early, so that the run outlasts a slow restart (a JVM's).
const faultAfter = 3

// runTimeout bounds a run.
const runTimeout = 90 * time.Second
