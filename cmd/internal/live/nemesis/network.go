package nemesis

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// Network places the servers and faults the traffic between them.
type Network interface {
	// Describe says how servers are placed and faults made, for the
	// output.
	Describe() string
	// Server is where server sid listens: its host and its client,
	// quorum and election ports.
	Server(sid uint64) Place
	// Peer is the quorum and election addresses server from dials to
	// reach server to.
	Peer(from, to uint64) (quorum, election string)
	// Command wraps a server's command line so that it runs in its place.
	Command(sid uint64, argv []string) []string
	// Isolate cuts server sid off from its peers; Rejoin undoes it.
	Isolate(sid uint64) error
	Rejoin(sid uint64) error
	// CutLink cuts (or restores) the links between servers a and b
	// alone: a partial partition, both still reach every other server.
	CutLink(a, b uint64, cut bool)
	// Slow delays every peer link, and loses chunks with probability
	// loss; zero values restore the links.
	Slow(delay time.Duration, loss float64)
	// Close stops the proxies and removes what the network set up.
	Close() error
}

// Place is where one server listens.
type Place struct {
	Host                     string
	Client, Quorum, Election int
}

// ClientAddr is the address clients dial.
func (p Place) ClientAddr() string { return net.JoinHostPort(p.Host, strconv.Itoa(p.Client)) }

type linkKey struct {
	from, to uint64
	ch       protocol.Channel
}

// links is a proxy for every directed peer link and channel.
type links struct {
	all map[linkKey]*link
}

// newLinks starts the proxies on listenHost towards the servers' places.
func newLinks(n int, listenHost string, place func(uint64) Place, seed uint64) (*links, error) {
	ls := &links{all: map[linkKey]*link{}}
	for from := uint64(1); from <= uint64(n); from++ {
		for to := uint64(1); to <= uint64(n); to++ {
			if from == to {
				continue
			}
			p := place(to)
			for ch, port := range map[protocol.Channel]int{protocol.ChanQuorum: p.Quorum, protocol.ChanElection: p.Election} {
				l, err := newLink(listenHost, net.JoinHostPort(p.Host, strconv.Itoa(port)), seed^from<<8^to<<16^uint64(ch)<<24)
				if err != nil {
					ls.close()
					return nil, fmt.Errorf("nemesis: proxy for %d->%d: %w", from, to, err)
				}
				ls.all[linkKey{from, to, ch}] = l
			}
		}
	}
	return ls, nil
}

// peer returns what from dials to reach to: the two proxies' addresses,
// which share a host.
func (ls *links) peer(from, to uint64) (quorum, election string) {
	return ls.all[linkKey{from, to, protocol.ChanQuorum}].Addr(), ls.all[linkKey{from, to, protocol.ChanElection}].Addr()
}

// update changes the faults of the links f selects.
func (ls *links) update(sel func(linkKey) bool, change func(*linkFaults)) {
	for k, l := range ls.all {
		if sel(k) {
			f := l.get()
			change(&f)
			l.set(f)
		}
	}
}

func (ls *links) slow(delay time.Duration, loss float64) {
	ls.update(func(linkKey) bool { return true }, func(f *linkFaults) { f.delay, f.loss = delay, loss })
}

// cut cuts or restores the links sel selects.
func (ls *links) cut(sel func(linkKey) bool, cut bool) {
	ls.update(sel, func(f *linkFaults) { f.cut = cut })
}

// touching selects the links of server sid.
func touching(sid uint64) func(linkKey) bool {
	return func(k linkKey) bool { return k.from == sid || k.to == sid }
}

// between selects the links between servers a and b, both ways.
func between(a, b uint64) func(linkKey) bool {
	return func(k linkKey) bool { return (k.from == a && k.to == b) || (k.from == b && k.to == a) }
}

func (ls *links) close() {
	for _, l := range ls.all {
		l.close()
	}
}
