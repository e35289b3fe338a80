package live

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zabsim/zabsim/protocol"
)

// EnsembleConfig describes a loopback ensemble of in-process servers,
// each with its own storage directory and its own sockets.
type EnsembleConfig struct {
	Servers int
	// Observers: the last Observers of the servers observe (they do not
	// vote).
	Observers int
	// Dir holds server N's storage in Dir/server-N.
	Dir string
	// ClientPort: server i serves clients on ClientPort+i-1; 0 picks free
	// ports. Peer ports are always picked free.
	ClientPort int
	// TickTime: 0 means 2 s.
	TickTime             time.Duration
	InitLimit, SyncLimit int
	SnapCount            int
	FourLetterWords      []string
	Logf                 func(format string, args ...any)
	Verbose              bool
}

// Ensemble is a running loopback ensemble. Servers keep their addresses
// and directories across Stop and Restart.
type Ensemble struct {
	cfgs    []Config
	mu      sync.Mutex
	servers []*Server // nil while stopped
}

// ErrNotServing: the ensemble did not reach a serving state in time.
var ErrNotServing = errors.New("live: ensemble not serving")

// StartEnsemble starts every server of the ensemble.
func StartEnsemble(ec EnsembleConfig) (*Ensemble, error) {
	n := ec.Servers
	if n < 1 || n > 254 {
		return nil, fmt.Errorf("%w: %d servers (1 to 254)", ErrServerConfig, n)
	}
	if ec.Observers < 0 || ec.Observers >= n {
		return nil, fmt.Errorf("%w: %d observers of %d servers (one must vote)", ErrServerConfig, ec.Observers, n)
	}
	if ec.ClientPort < 0 || ec.ClientPort+n-1 > 65535 {
		return nil, fmt.Errorf("%w: client ports %d to %d", ErrServerConfig, ec.ClientPort, ec.ClientPort+n-1)
	}
	if ec.TickTime == 0 {
		ec.TickTime = 2 * time.Second
	}
	if ec.InitLimit == 0 {
		ec.InitLimit = 10
	}
	if ec.SyncLimit == 0 {
		ec.SyncLimit = 5
	}
	want := 2 * n
	if ec.ClientPort == 0 {
		want = 3 * n
	}
	ports, err := FreePorts(want)
	if err != nil {
		return nil, err
	}
	peers := map[uint64]Peer{}
	for i := range n {
		peers[uint64(i+1)] = Peer{Quorum: loopback(ports[2*i]), Election: loopback(ports[2*i+1]), Observer: i >= n-ec.Observers}
	}
	e := &Ensemble{servers: make([]*Server, n)}
	for i := range n {
		client := ec.ClientPort + i
		if ec.ClientPort == 0 {
			client = ports[2*n+i]
		}
		e.cfgs = append(e.cfgs, Config{
			ID: uint64(i + 1), Peers: peers, ClientAddr: loopback(client),
			Dir:      filepath.Join(ec.Dir, fmt.Sprintf("server-%d", i+1)),
			TickTime: ec.TickTime, InitLimit: ec.InitLimit, SyncLimit: ec.SyncLimit,
			SnapCount: ec.SnapCount, FourLetterWords: ec.FourLetterWords,
			Logf: ec.Logf, Verbose: ec.Verbose,
		})
	}
	for i := range n {
		if err := e.Restart(uint64(i + 1)); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// FreePorts returns n distinct loopback ports that were free a moment ago.
// They are drawn below the kernel's ephemeral range, where no outgoing
// connection is given a port: a port picked with ":0" can be taken by any
// client socket before the server binds it again.
func FreePorts(n int) ([]int, error) {
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	lo, hi := unassignedPorts()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		addr := "127.0.0.1:0"
		if hi > lo && tries < 100*n {
			addr = loopback(lo + rand.IntN(hi-lo))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if addr == "127.0.0.1:0" {
				return nil, fmt.Errorf("live: picking a free port: %w", err)
			}
			continue
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// unassignedPorts is a range of ports the kernel does not hand to
// outgoing connections: from 10000 to the start of its ephemeral range.
func unassignedPorts() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0
	}
	start, err := strconv.Atoi(f[0])
	if err != nil || start <= 11000 {
		return 0, 0
	}
	return 10000, start
}

// Size is the number of servers.
func (e *Ensemble) Size() int { return len(e.cfgs) }

// Config is server sid's configuration.
func (e *Ensemble) Config(sid uint64) Config { return e.cfgs[sid-1] }

// Server is server sid, nil while it is stopped.
func (e *Ensemble) Server(sid uint64) *Server {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.servers[sid-1]
}

// ClientAddrs are the servers' client addresses, by sid.
func (e *Ensemble) ClientAddrs() []string {
	out := make([]string, len(e.cfgs))
	for i, c := range e.cfgs {
		out[i] = c.ClientAddr
	}
	return out
}

// ConnectString is what ZooKeeper clients take: host:port,host:port,...
func (e *Ensemble) ConnectString() string { return strings.Join(e.ClientAddrs(), ",") }

// Stop stops server sid (a clean stop: its disk keeps what it logged).
func (e *Ensemble) Stop(sid uint64) {
	e.mu.Lock()
	s := e.servers[sid-1]
	e.servers[sid-1] = nil
	e.mu.Unlock()
	if s != nil {
		s.Stop()
	}
}

// Restart starts server sid from its directory; it must be stopped.
func (e *Ensemble) Restart(sid uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.servers[sid-1]; s != nil {
		select {
		case <-s.Done(): // it crashed: start it again
		default:
			return fmt.Errorf("live: server %d is running", sid)
		}
	}
	var err error
	for attempt := 0; ; attempt++ {
		var s *Server
		s, err = Start(e.cfgs[sid-1])
		if err == nil {
			e.servers[sid-1] = s
			return nil
		}
		// A port of the previous incarnation may linger for a moment.
		if attempt == 20 || !errors.Is(err, errAddrInUse) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Close stops every server.
func (e *Ensemble) Close() {
	for i := range e.cfgs {
		e.Stop(uint64(i + 1))
	}
}

// Leader is the sid of the running server that serves as leader, 0 if none.
func (e *Ensemble) Leader() uint64 {
	for i := range e.cfgs {
		if s := e.Server(uint64(i + 1)); s != nil {
			if st := s.Status(); st.Serving && st.State == protocol.Leading {
				return s.ID()
			}
		}
	}
	return 0
}

// WaitServing waits until every running server serves, under one leader.
func (e *Ensemble) WaitServing(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return e.WaitServingContext(ctx)
}

// WaitServingContext is WaitServing until ctx ends.
func (e *Ensemble) WaitServingContext(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		leaders := map[uint64]bool{}
		serving := true
		for i := range e.cfgs {
			s := e.Server(uint64(i + 1))
			if s == nil {
				continue
			}
			st := s.Status()
			serving = serving && st.Serving
			leaders[st.Leader] = true
		}
		if serving && len(leaders) == 1 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			var sts []string
			for i := range e.cfgs {
				if s := e.Server(uint64(i + 1)); s != nil {
					sts = append(sts, fmt.Sprintf("%d: %s", i+1, s.Status()))
				}
			}
			return fmt.Errorf("%w: %v: %s", ErrNotServing, ctx.Err(), strings.Join(sts, "; "))
		}
	}
}

// errAddrInUse is what binding a port still held looks like.
var errAddrInUse error = syscall.EADDRINUSE
