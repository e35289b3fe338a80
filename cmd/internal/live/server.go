package live

import (
	"errors"
	"fmt"
	"log"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/live/storage"
	"github.com/zabsim/zabsim/cmd/internal/live/transport"
	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/protocol/replica"
)

// Peer is where one server of the ensemble listens for its peers.
type Peer struct {
	Quorum, Election string
	Observer         bool
}

// Config is one live server.
type Config struct {
	// ID is the server's sid; Peers holds every server of the ensemble,
	// this one included (its addresses are where it listens).
	ID    uint64
	Peers map[uint64]Peer
	// ClientAddr is where clients connect ("127.0.0.1:0" picks a port;
	// see Server.ClientAddr).
	ClientAddr string
	// Dir is the storage directory: log segments, epoch files, snapshots.
	Dir string

	TickTime             time.Duration
	InitLimit, SyncLimit int
	// Tick is how often the host ticks the server; 0 means 50 ms, or
	// TickTime if that is shorter.
	Tick time.Duration
	// MinSessionTimeout and MaxSessionTimeout: 0 means 2 and 20 TickTimes.
	MinSessionTimeout, MaxSessionTimeout time.Duration
	// MaxClientCnxns bounds the connections from one IP address, as
	// ZooKeeper's maxClientCnxns does; 0 means no limit.
	MaxClientCnxns int
	// MaxFrame is jute.maxbuffer: the largest request frame; 0 means
	// wire.DefaultMaxRequestFrame.
	MaxFrame int
	// SnapCount: logged transactions between snapshots; 0 means the
	// protocol's default.
	SnapCount int
	// FourLetterWords is 4lw.commands.whitelist: the words answered, "*"
	// for all of them. nil means ZooKeeper's default, srvr only.
	FourLetterWords []string
	// Logf receives the server's log lines; nil means log.Printf.
	Logf func(format string, args ...any)
	// Verbose also logs every protocol event but applies and proposals.
	Verbose bool
	// Bugs switches on known protocol mistakes, so that a live nemesis
	// can show it catches them.
	Bugs []protocol.Bug
}

// Errors a caller can test for with errors.Is.
var (
	// ErrServerConfig: Config cannot make a server.
	ErrServerConfig = errors.New("live: invalid server configuration")
	// ErrStopped: the server was stopped.
	ErrStopped = errors.New("live: server stopped")
	// ErrFatal: the server crashed itself, as ZooKeeper exits: its
	// storage failed, or its peer met a state it cannot continue from.
	ErrFatal = errors.New("live: server crashed")
)

// Limits of the event loop and its queues.
const (
	defaultTick = 50 * time.Millisecond
	// eventQueue bounds client events waiting for the loop; readers wait
	// when it is full.
	eventQueue = 4096
	// batchMax bounds the events the loop takes in before it carries out
	// a Ready: they share the Ready's one fsync (group commit).
	batchMax = 1024
	// outQueue bounds the frames waiting for one client's writer; a
	// client that does not read is disconnected beyond it.
	outQueue = 8192
	// earlyMax bounds requests a client pipelines before its session is
	// established.
	earlyMax = 1000
	// connBuffer is the size of a client connection's read buffer.
	connBuffer = 16 << 10
	// wbufMax bounds the buffer the loop keeps for its direct writes, and
	// each client writer for its batches, so that one large reply does not
	// hold its size for good.
	wbufMax = 1 << 20
	// tickCatchUp bounds the ticks a late ticker makes up in one go.
	tickCatchUp = 2
)

// Server is one live ZooKeeper server: the pure replica.Server driven in
// real time by one event loop goroutine, which alone touches it.
type Server struct {
	cfg      Config
	logf     func(format string, args ...any)
	tick     time.Duration
	maxFrame int
	words    map[string]bool

	rep   *replica.Server
	store *storage.Store
	tr    *transport.Transport
	ln    net.Listener

	events   chan event
	stop     chan struct{} // closed by Stop
	quit     chan struct{} // closed when the loop shuts down
	done     chan struct{} // closed when everything has ended
	stopOnce sync.Once
	wg       sync.WaitGroup // client goroutines and the accept loop
	nextConn atomic.Uint64

	mu       sync.Mutex
	err      error // why the loop ended
	status   protocol.Status
	ipConns  map[string]int
	netConns map[net.Conn]struct{} // every client socket, for shutdown
	closing  bool

	// The disk goroutine carries out one batch of storage work at a time
	// (every Ready handed out since the last batch began, one fsync for
	// all) while the loop goes on taking in messages, ticks and requests,
	// and sending what need not wait for the disk.
	carryReq  chan []protocol.Op
	carryDone chan error
	diskDone  chan struct{}
	storeErr  error // set by the storage's Failed callback, on the disk goroutine

	// Loop-owned.
	carrier *protocol.Carrier
	// onDisk: a batch is with the disk goroutine, whose answer on
	// carryDone is still to come (the Carrier stays busy after a failed
	// batch, whose answer has come).
	onDisk bool
	conns  map[replica.ConnID]*clientConn
	// Connections to close, and to wake, once a Ready's responses are
	// sent.
	dropped, finishing, waking []*clientConn
	// Connections given frames in this iteration, and the buffer the
	// loop encodes them into for its direct writes.
	touched []*clientConn
	wbuf    []byte
	start   time.Time
	ticks   int64
	stats   stats
	lastSt  protocol.Status
}

// Start opens the storage in cfg.Dir, recovers from it, binds the peer
// and client ports and starts serving.
func Start(cfg Config) (*Server, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.open(); err != nil {
		s.closeResources()
		return nil, err
	}
	s.wg.Add(1)
	go s.acceptLoop()
	go s.diskLoop()
	go s.loop()
	return s, nil
}

func newServer(cfg Config) (*Server, error) {
	if _, ok := cfg.Peers[cfg.ID]; !ok || cfg.ID == 0 {
		return nil, fmt.Errorf("%w: server %d is not among its peers", ErrServerConfig, cfg.ID)
	}
	if cfg.Dir == "" {
		return nil, fmt.Errorf("%w: no storage directory", ErrServerConfig)
	}
	if cfg.TickTime <= 0 || cfg.Tick < 0 || cfg.Tick > cfg.TickTime {
		return nil, fmt.Errorf("%w: tickTime %v, tick %v", ErrServerConfig, cfg.TickTime, cfg.Tick)
	}
	if cfg.MaxFrame < 0 || cfg.MaxClientCnxns < 0 || cfg.SnapCount < 0 || cfg.InitLimit < 0 || cfg.SyncLimit < 0 {
		return nil, fmt.Errorf("%w: a negative limit", ErrServerConfig)
	}
	s := &Server{
		cfg:       cfg,
		logf:      cfg.Logf,
		tick:      cfg.Tick,
		maxFrame:  cfg.MaxFrame,
		events:    make(chan event, eventQueue),
		stop:      make(chan struct{}),
		quit:      make(chan struct{}),
		carryReq:  make(chan []protocol.Op, 1),
		carryDone: make(chan error, 1),
		diskDone:  make(chan struct{}),
		done:      make(chan struct{}),
		ipConns:   map[string]int{},
		netConns:  map[net.Conn]struct{}{},
		conns:     map[replica.ConnID]*clientConn{},
		words:     wordSet(cfg.FourLetterWords),
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	if s.tick == 0 {
		s.tick = min(defaultTick, cfg.TickTime)
	}
	if s.maxFrame == 0 {
		s.maxFrame = wire.DefaultMaxRequestFrame
	}
	return s, nil
}

// replicaConfig is the pure server's configuration.
func (s *Server) replicaConfig() (replica.Config, error) {
	var voters, observers []uint64
	for id, p := range s.cfg.Peers {
		if p.Observer {
			observers = append(observers, id)
		} else {
			voters = append(voters, id)
		}
	}
	slices.Sort(voters)
	slices.Sort(observers)
	q, err := protocol.NewMajority(voters)
	if err != nil {
		return replica.Config{}, fmt.Errorf("%w: %v", ErrServerConfig, err)
	}
	pc := protocol.DefaultConfig()
	pc.ID, pc.Quorum, pc.Observers = s.cfg.ID, q, observers
	pc.Tick, pc.TickTime, pc.Bugs = s.tick, s.cfg.TickTime, s.cfg.Bugs
	if s.cfg.InitLimit > 0 {
		pc.InitLimit = s.cfg.InitLimit
	}
	if s.cfg.SyncLimit > 0 {
		pc.SyncLimit = s.cfg.SyncLimit
	}
	if s.cfg.SnapCount > 0 {
		pc.SnapCount = s.cfg.SnapCount
	}
	rc := replica.DefaultConfig()
	rc.Peer = pc
	rc.MinSessionTimeout, rc.MaxSessionTimeout = s.cfg.MinSessionTimeout, s.cfg.MaxSessionTimeout
	if s.maxFrame > 0 {
		rc.Tree.DataLengthMax = s.maxFrame
	}
	return rc, nil
}

// open recovers the replica from disk and binds every port.
func (s *Server) open() error {
	rc, err := s.replicaConfig()
	if err != nil {
		return err
	}
	s.store, err = storage.Open(s.cfg.Dir, storage.Config{
		Logf: func(format string, args ...any) {
			s.logf("server %d: storage: "+format, append([]any{s.cfg.ID}, args...)...)
		},
		Failed: func(err error) { s.storeErr = err },
	})
	if err != nil {
		return fmt.Errorf("server %d: %w", s.cfg.ID, err)
	}
	rec, err := s.store.Load()
	if err != nil {
		return fmt.Errorf("server %d: %w", s.cfg.ID, err)
	}
	s.start = time.Now()
	rc.StartMs = s.start.UnixMilli()
	s.rep, err = replica.New(rc, rec)
	if err != nil {
		return fmt.Errorf("server %d: %w", s.cfg.ID, err)
	}
	peers := map[uint64]transport.Addrs{}
	for id, p := range s.cfg.Peers {
		peers[id] = transport.Addrs{Quorum: p.Quorum, Election: p.Election}
	}
	s.tr, err = transport.New(transport.Config{ID: s.cfg.ID, Peers: peers, HostFlushes: true,
		ErrorLog: func(err error) { s.logf("server %d: %v", s.cfg.ID, err) }})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrServerConfig, err)
	}
	s.carrier = protocol.NewCarrier(s.tr.SendSince)
	if err := s.tr.Start(); err != nil {
		return fmt.Errorf("server %d: %w", s.cfg.ID, err)
	}
	s.ln, err = net.Listen("tcp", s.cfg.ClientAddr)
	if err != nil {
		return fmt.Errorf("server %d: client port: %w", s.cfg.ID, err)
	}
	s.publishStatus()
	return nil
}

// ID is the server's sid.
func (s *Server) ID() uint64 { return s.cfg.ID }

// ClientAddr is the address clients connect to.
func (s *Server) ClientAddr() string { return s.ln.Addr().String() }

// Status is the peer's status as of the loop's last step.
func (s *Server) Status() protocol.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Done is closed when the server has stopped, by Stop or by a crash.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why the server stopped: nil while it runs, ErrStopped after
// Stop, an error matching ErrFatal after a crash.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Stop stops the server and waits until everything it started has
// ended. What it acknowledged is on disk; it may be called again.
func (s *Server) Stop() {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
}

func (s *Server) publishStatus() {
	st := s.rep.Peer().Status()
	if st == s.lastSt {
		return
	}
	s.logf("server %d: %s", s.cfg.ID, st)
	s.lastSt = st
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

// loop is the one goroutine that touches the replica.
func (s *Server) loop() {
	defer close(s.done)
	ticker := time.NewTicker(s.tick)
	defer ticker.Stop()
	inbound := s.tr.Inbound()
	for {
		select {
		case <-s.stop:
			s.shutdown(ErrStopped)
			return
		case now := <-ticker.C:
			s.tickUntil(now)
		case in := <-inbound:
			s.rep.Step(in.Msg)
		case ev := <-s.events:
			s.handle(ev)
		case err := <-s.carryDone:
			s.onDisk = false
			if err != nil {
				s.fail(err)
				return
			}
			s.persisted()
		}
		s.drain(inbound)
		if err := s.pump(); err != nil {
			s.fail(err)
			return
		}
		// What this iteration sent leaves now, written by the loop
		// itself where the sockets take it at once.
		s.tr.Flush()
		s.flushConns()
		s.publishStatus()
	}
}

func (s *Server) fail(err error) {
	s.logf("server %d: %v", s.cfg.ID, err)
	s.shutdown(err)
}

// drain takes in what else is waiting, up to batchMax, so that it shares
// the next Ready and its fsync.
func (s *Server) drain(inbound <-chan transport.Inbound) {
	for range batchMax {
		select {
		case in := <-inbound:
			s.rep.Step(in.Msg)
		case ev := <-s.events:
			s.handle(ev)
		default:
			return
		}
	}
}

// tickUntil ticks the replica as often as real time says it should have
// been, so its clock (session expiry, ctime) follows the wall clock
// through the ticker's jitter. A longer stall of the process (a pause,
// a starved CPU) is not counted: the peers' messages could not be read
// during it either, and counting it would time out every peer at once.
func (s *Server) tickUntil(now time.Time) {
	due := int64(now.Sub(s.start) / s.tick)
	if lost := due - s.ticks - tickCatchUp; lost > 0 {
		if stall := time.Duration(lost) * s.tick; stall >= s.cfg.TickTime {
			s.logf("server %d: the event loop could not run for %v; that time is not counted", s.cfg.ID, stall)
		}
		s.ticks += lost
	}
	for ; s.ticks < due; s.ticks++ {
		s.rep.Tick()
	}
}

// pump hands out every Ready the replica has to the Carrier, the
// protocol's own, which the simulator uses too: the early messages
// (an established leader's, a learner's forwarded requests) and the
// client responses leave at once, and the storage work goes to the disk
// goroutine a batch at a time, every Ready handed out since the last
// batch began sharing one fsync (group commit). The rest of the messages
// leave when their batch is durable.
func (s *Server) pump() error {
	for {
		for s.rep.HasReady() {
			rd := s.rep.Ready()
			s.logEvents(rd.Events)
			if rd.Fatal != nil {
				return fmt.Errorf("%w: server %d exits: %v", ErrFatal, s.cfg.ID, rd.Fatal)
			}
			s.carrier.Hand(rd, s.tr.Resets())
			s.respond(s.rep.Responses())
			s.afterRespond()
		}
		ops, n := s.carrier.Batch()
		if n == 0 {
			return nil
		}
		if len(ops) > 0 {
			s.onDisk = true
			s.carryReq <- ops // never waits: one batch at a time
			return nil
		}
		s.persisted()
	}
}

// persisted sends the late messages of the batch just made durable and
// hands its Readies back. The caller pumps.
func (s *Server) persisted() {
	for range s.carrier.Persisted() {
		s.rep.Advance()
	}
}

// diskLoop carries out the batches the loop hands it, in order, with one
// Persister for the server's life: its arena for log records is reused
// from one batch to the next instead of allocated for each.
func (s *Server) diskLoop() {
	defer close(s.diskDone)
	var carried bool
	var failed error
	p := protocol.NewPersister(s.store)
	done, fail := func() { carried = true }, func(err error) { failed = err }
	for ops := range s.carryReq {
		carried, failed = false, nil
		p.Persist(ops, done, fail)
		if failed == nil {
			failed = s.storeErr
		}
		if failed != nil || !carried {
			failed = fmt.Errorf("%w: server %d: storage failed: %v", ErrFatal, s.cfg.ID, failed)
		}
		s.carryDone <- failed
	}
}

// logEvents logs the peer's events: an anomaly (a branch ZooKeeper's
// specifications call impossible) always, the rest when Verbose, but for
// the per-transaction ones.
func (s *Server) logEvents(evs []protocol.Event) {
	for _, e := range evs {
		switch {
		case e.Kind == protocol.EvAnomaly:
		case !s.cfg.Verbose:
			continue
		case e.Kind == protocol.EvApplied, e.Kind == protocol.EvProposed, e.Kind == protocol.EvAckCounted, e.Kind == protocol.EvCommitted:
			continue
		}
		s.logf("server %d: %s", s.cfg.ID, e)
	}
}

// shutdown ends the server: no new clients, every connection closed, the
// transport and the storage closed, every goroutine waited for.
func (s *Server) shutdown(why error) {
	s.mu.Lock()
	s.err = why
	s.mu.Unlock()
	close(s.quit) // readers waiting on a full event queue give up
	if s.onDisk {
		<-s.carryDone // what is on its way to the disk gets there
	}
	close(s.carryReq)
	<-s.diskDone
	for _, c := range s.conns {
		c.out.close()
	}
	clear(s.conns)
	s.closeResources()
	s.cutAll()
	s.wg.Wait()
}

func (s *Server) closeResources() {
	if s.ln != nil {
		s.ln.Close()
	}
	if s.tr != nil {
		if err := s.tr.Close(); err != nil {
			s.logf("server %d: %v", s.cfg.ID, err)
		}
	}
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			s.logf("server %d: %v", s.cfg.ID, err)
		}
	}
}
