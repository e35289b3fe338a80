// Package ensemble runs ZooKeeper servers inside the simulator: each
// server is a sim node whose process drives a pure protocol peer (alone,
// or inside the server layer), carries out its Ready batches on the
// simulated disk and network, and is rebuilt from that disk alone after a
// crash. It records what the checkers in linearize need.
package ensemble

import (
	"errors"
	"fmt"
	"time"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/sim"
)

// Server is what a node runs: a protocol peer, possibly wrapped by the
// server layer. Its Ready must be carried out before Advance.
type Server interface {
	Peer() *protocol.Peer
	Step(protocol.Message)
	Tick()
	HasReady() bool
	Ready() protocol.Ready
	Advance()
}

// Digester is implemented by servers whose replicated state has a digest,
// so equal zxids can be checked for equal states.
type Digester interface {
	StateDigest() uint64
}

// NewServerFunc builds a server from its peer configuration (App unset),
// what its disk holds, and the wall-clock time of its start in ms (the
// simulated clock plus WallBaseMs).
type NewServerFunc func(cfg protocol.Config, rec protocol.Recovered, startMs int64) (Server, error)

// ClientServer is a Server that serves ZooKeeper clients: the simulated
// clients' frames travel on ChanClient and reach it through these.
type ClientServer interface {
	Server
	Connect(replica.ConnID, replica.Connect) error
	Submit(replica.ConnID, replica.Request) error
	Disconnect(replica.ConnID) error
	// Responses are the client frames of the last Ready, sent after it.
	Responses() []replica.Response
}

// ChanClient is the simulated network channel of client connections.
const ChanClient = sim.Channel(2)

// WallBaseMs is the wall-clock time at simulated time zero (2023-11-14):
// ctime and mtime look like real times, and stay a function of the seed.
const WallBaseMs int64 = 1_700_000_000_000

// NewReplicaServer is a NewServerFunc for ZooKeeper servers
// (protocol/replica) with the given template; its Peer is replaced by the
// ensemble's.
func NewReplicaServer(template replica.Config) NewServerFunc {
	return func(cfg protocol.Config, rec protocol.Recovered, startMs int64) (Server, error) {
		rc := template
		rc.Peer, rc.StartMs = cfg, startMs
		rc.RecordExpiries = true // the host drains them for the checkers
		return replica.New(rc, rec)
	}
}

// Config describes an ensemble.
type Config struct {
	// Voters and Observers count servers; ids are 1..Voters for voters,
	// then the observers.
	Voters, Observers int
	// Quorum is the number of acks a decision needs; 0 is a majority.
	// Anything that lets two quorums miss each other is allowed, for
	// demonstrating split brain.
	Quorum int
	// Peer is the timing template; ID, Quorum, Observers and App are set
	// per server.
	Peer protocol.Config
	Disk sim.DiskConfig
	// Election and Quorum links: FLE's overwriting queues and the FIFO
	// learner streams.
	ElectionLink, QuorumLink sim.LinkConfig
	// ClientLink is the links of client connections (ChanClient).
	ClientLink sim.LinkConfig
	NewServer  NewServerFunc
	// StartAt[i], when positive, switches server i+1 on only that long
	// after the start (a staggered start); it is down until then.
	StartAt []time.Duration
}

// DefaultConfig is a 3-server ensemble with ZooKeeper's defaults and a
// tickTime of 500ms, so that failures are noticed within seconds of
// simulated time.
func DefaultConfig() Config {
	pc := protocol.DefaultConfig()
	pc.TickTime = 500 * time.Millisecond
	pc.Tick = 50 * time.Millisecond
	el := sim.DefaultLink
	el.Overwrite = true
	return Config{
		Voters:       3,
		Peer:         pc,
		Disk:         sim.DefaultDisk,
		ElectionLink: el,
		QuorumLink:   sim.DefaultLink,
		ClientLink:   sim.DefaultLink,
		NewServer:    NewLogServer,
	}
}

// Ensemble is the set of servers in one simulated world.
type Ensemble struct {
	s       *sim.Sim
	cfg     Config
	quorum  *protocol.QuorumVerifier
	nodes   []sim.NodeID // index i: server id i+1
	hosts   []*host      // current incarnation per server
	record  recorder
	refused []string
	debug   func(sid uint64, now sim.Time, evs []protocol.Event)
	// messages and responses box what servers send on the network;
	// isServer tells, by node id, the nodes whose peer messages come from
	// messages, so the network can hand those back once delivered.
	messages  slab[protocol.Message]
	responses slab[replica.Response]
	isServer  []bool
}

// Errors a caller can test for.
var ErrConfig = errors.New("ensemble: invalid configuration")

// New adds the servers to s and starts them.
func New(s *sim.Sim, cfg Config) (*Ensemble, error) {
	if cfg.Voters <= 0 || cfg.Observers < 0 || cfg.Voters+cfg.Observers > 255 {
		return nil, fmt.Errorf("%w: %d voters and %d observers", ErrConfig, cfg.Voters, cfg.Observers)
	}
	if cfg.NewServer == nil {
		cfg.NewServer = NewLogServer
	}
	var voters, observers []uint64
	for i := 1; i <= cfg.Voters; i++ {
		voters = append(voters, uint64(i))
	}
	for i := 1; i <= cfg.Observers; i++ {
		observers = append(observers, uint64(cfg.Voters+i))
	}
	var q *protocol.QuorumVerifier
	var err error
	if cfg.Quorum == 0 {
		q, err = protocol.NewMajority(voters)
	} else {
		q, err = protocol.NewQuorumSize(voters, cfg.Quorum)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if len(cfg.StartAt) > cfg.Voters+cfg.Observers {
		return nil, fmt.Errorf("%w: %d start times for %d servers", ErrConfig, len(cfg.StartAt), cfg.Voters+cfg.Observers)
	}
	e := &Ensemble{s: s, cfg: cfg, quorum: q}
	nw := s.Net
	if err := nw.SetChannelDefault(sim.Channel(protocol.ChanElection), cfg.ElectionLink); err != nil {
		return nil, fmt.Errorf("%w: election link: %v", ErrConfig, err)
	}
	if err := nw.SetChannelDefault(sim.Channel(protocol.ChanQuorum), cfg.QuorumLink); err != nil {
		return nil, fmt.Errorf("%w: quorum link: %v", ErrConfig, err)
	}
	if cfg.ClientLink != (sim.LinkConfig{}) {
		if err := nw.SetChannelDefault(ChanClient, cfg.ClientLink); err != nil {
			return nil, fmt.Errorf("%w: client link: %v", ErrConfig, err)
		}
	}
	n := cfg.Voters + cfg.Observers
	e.hosts = make([]*host, n)
	e.record.init(n)
	for i := 0; i < n; i++ {
		sid := uint64(i + 1)
		pc := cfg.Peer
		pc.ID, pc.Quorum, pc.Observers = sid, q, observers
		disk := cfg.Disk
		var startAt time.Duration
		if i < len(cfg.StartAt) {
			startAt = cfg.StartAt[i]
		}
		id := s.AddNode(sim.NodeConfig{
			Name:    fmt.Sprintf("s%d", sid),
			Tick:    pc.Tick,
			Disk:    &disk,
			StartAt: startAt,
			Start: func(ctx *sim.NodeContext) sim.Process {
				return e.start(ctx, sid, pc)
			},
		})
		e.nodes = append(e.nodes, id)
		for int(id) >= len(e.isServer) {
			e.isServer = append(e.isServer, false)
		}
		e.isServer[id] = true
	}
	s.Net.OnRelease(e.released)
	return e, nil
}

// released takes back a peer message the network is done with. Only the
// hosts receive peer messages, and they copy them in Receive. (Client
// responses are not reused: a client might keep them.)
func (e *Ensemble) released(from sim.NodeID, msg any) {
	m, ok := msg.(*protocol.Message)
	if ok && int(from) < len(e.isServer) && e.isServer[from] {
		e.messages.reuse(m)
	}
}

// Sim is the world the servers live in.
func (e *Ensemble) Sim() *sim.Sim { return e.s }

// Servers are the server nodes; index i is server id i+1.
func (e *Ensemble) Servers() []sim.NodeID { return append([]sim.NodeID(nil), e.nodes...) }

// Quorum is the ensemble's quorum verifier.
func (e *Ensemble) Quorum() *protocol.QuorumVerifier { return e.quorum }

// Server is the live server with id sid, or nil if it is down.
func (e *Ensemble) Server(sid uint64) Server {
	h := e.hosts[sid-1]
	if h == nil || !h.ctx.Alive() || h.server == nil {
		return nil
	}
	return h.server
}

// Leader is the server that leads and serves, if exactly one does.
func (e *Ensemble) Leader() (sim.NodeID, bool) {
	var found sim.NodeID
	n := 0
	for i := range e.hosts {
		srv := e.Server(uint64(i + 1))
		if srv == nil {
			continue
		}
		if st := srv.Peer().Status(); st.State == protocol.Leading && st.Serving {
			found = e.nodes[i]
			n++
		}
	}
	return found, n == 1
}

// Stable reports whether one leader serves and every live voter follows
// it and serves.
func (e *Ensemble) Stable() bool {
	leader, ok := e.Leader()
	if !ok {
		return false
	}
	for i := range e.hosts {
		srv := e.Server(uint64(i + 1))
		if srv == nil {
			continue
		}
		st := srv.Peer().Status()
		if !st.Serving || st.Leader != e.sidOf(leader) {
			return false
		}
	}
	return true
}

// Refused lists servers that would not start from their disk, with why
// (ZooKeeper refuses in the same cases; the node stays down).
func (e *Ensemble) Refused() []string { return append([]string(nil), e.refused...) }

// Roles lists every server's role changes in time order.
func (e *Ensemble) Roles() []Role { return append([]Role(nil), e.record.roles...) }

// Record is what the checkers need, as of now.
func (e *Ensemble) Record() linearize.ZabRecord { return e.record.snapshot() }

// ArmCrashPoint makes the server crash when it next reaches point.
func (e *Ensemble) ArmCrashPoint(node sim.NodeID, point string) error {
	for i, id := range e.nodes {
		if id == node {
			h := e.hosts[i]
			if h == nil || !h.ctx.Alive() {
				return fmt.Errorf("ensemble: server %d is down", i+1)
			}
			return h.store.arm(point)
		}
	}
	return fmt.Errorf("ensemble: node %s is not a server", node)
}

func (e *Ensemble) start(ctx *sim.NodeContext, sid uint64, pc protocol.Config) sim.Process {
	h := &host{e: e, ctx: ctx, sid: sid}
	h.store = newStore(ctx, h)
	h.carrier = protocol.NewCarrier(h.send)
	h.persister = protocol.NewPersister(h.store)
	e.hosts[sid-1] = h
	rec, err := h.store.load()
	if err == nil {
		e.record.restart(sid)
		h.server, err = e.cfg.NewServer(pc, rec, WallBaseMs+int64(ctx.Now())/int64(time.Millisecond))
	}
	if err != nil {
		// A constructor that fails may still return a typed nil.
		h.server = nil
		msg := fmt.Sprintf("server %d refused to start: %v", sid, err)
		e.refused = append(e.refused, msg)
		ctx.Note(msg)
		return h
	}
	h.pump()
	return h
}
