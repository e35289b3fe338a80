package nemesis

import (
	"fmt"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/live"
)

// loopbackNet is the unprivileged fallback: every server on 127.0.0.1,
// every peer link through a proxy. A partition cuts the proxies of a
// server's links (its clients still reach it, as a server cut off from
// its peers but not from its clients).
type loopbackNet struct {
	places []Place
	links  *links
}

func newLoopbackNet(n int, seed uint64) (*loopbackNet, error) {
	ports, err := live.FreePorts(3 * n)
	if err != nil {
		return nil, err
	}
	ln := &loopbackNet{}
	for i := range n {
		ln.places = append(ln.places, Place{Host: "127.0.0.1", Client: ports[3*i], Quorum: ports[3*i+1], Election: ports[3*i+2]})
	}
	if ln.links, err = newLinks(n, "127.0.0.1", ln.Server, seed); err != nil {
		return nil, err
	}
	return ln, nil
}

func (ln *loopbackNet) Describe() string {
	return fmt.Sprintf("loopback proxies: %d servers on 127.0.0.1, each peer link through a TCP proxy (partitions cut the proxies; delay and loss in the proxies)", len(ln.places))
}

func (ln *loopbackNet) Server(sid uint64) Place                  { return ln.places[sid-1] }
func (ln *loopbackNet) Peer(from, to uint64) (string, string)    { return ln.links.peer(from, to) }
func (ln *loopbackNet) Command(_ uint64, argv []string) []string { return argv }
func (ln *loopbackNet) Isolate(sid uint64) error                 { ln.links.cut(touching(sid), true); return nil }
func (ln *loopbackNet) Rejoin(sid uint64) error                  { ln.links.cut(touching(sid), false); return nil }
func (ln *loopbackNet) CutLink(a, b uint64, cut bool)            { ln.links.cut(between(a, b), cut) }
func (ln *loopbackNet) Slow(delay time.Duration, loss float64)   { ln.links.slow(delay, loss) }
func (ln *loopbackNet) Close() error                             { ln.links.close(); return nil }
