package ensemble

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/protocol/replica"
	"github.com/zabsim/zabsim/sim"
)

// host is one incarnation of a server: the sim process around it.
type host struct {
	e         *Ensemble
	ctx       *sim.NodeContext
	sid       uint64
	server    Server
	store     *store
	carrier   *protocol.Carrier
	persister *protocol.Persister
	// pumping is set while pump runs, so that a completion that comes at
	// once leaves the rest to it instead of recursing.
	pumping bool
	// resets counts quorum connection resets the server was told of;
	// resetAt is the count at each peer's last one (by sid-1, nil until
	// the first). A Ready is handed to the carrier tagged with the count
	// of the moment it was made.
	resets  uint64
	resetAt []uint64
	// clients maps each client node to its current connection here.
	clients map[sim.NodeID]replica.ConnID
}

// expirer is a server that reports its session expiry decisions.
type expirer interface{ Expiries() []replica.Expiry }

// ClientFrame is what a simulated client sends a server on ChanClient:
// a ConnectRequest opening connection number Conn, or a request on it.
// Servers answer with *replica.Response.
type ClientFrame struct {
	Conn    uint32
	Connect *replica.Connect
	Request *replica.Request
}

func connID(node sim.NodeID, conn uint32) replica.ConnID {
	return replica.ConnID(uint64(uint32(node))<<32 | uint64(conn))
}

func connNode(id replica.ConnID) sim.NodeID { return sim.NodeID(uint32(id >> 32)) }

// Receive steps a peer message into the server, or hands it a client's.
func (h *host) Receive(from sim.NodeID, msg any) {
	if h.server == nil {
		return
	}
	switch m := msg.(type) {
	case *protocol.Message:
		h.server.Step(*m)
		// Armed is almost always empty: test it first, on every message.
		if h.store.armed == "cut-in-sync" && (m.Type == protocol.MsgDiff || m.Type == protocol.MsgTrunc || m.Type == protocol.MsgSnap) {
			h.store.armed = ""
			h.ctx.Note("cut point cut-in-sync")
			h.ctx.Disconnect(from, sim.Channel(protocol.ChanQuorum))
		}
	case *ClientFrame:
		h.clientFrame(from, m)
	}
	h.pump()
}

func (h *host) clientFrame(from sim.NodeID, f *ClientFrame) {
	cs, ok := h.server.(ClientServer)
	if !ok {
		h.ctx.Disconnect(from, ChanClient)
		return
	}
	id := connID(from, f.Conn)
	var err error
	switch {
	case f.Connect != nil:
		if old, ok := h.clients[from]; ok && old != id {
			_ = cs.Disconnect(old) // the client gave up on it; the server may have too
		}
		if h.clients == nil {
			h.clients = map[sim.NodeID]replica.ConnID{}
		}
		h.clients[from] = id
		err = cs.Connect(id, *f.Connect)
	case f.Request != nil:
		err = cs.Submit(id, *f.Request)
	}
	if err != nil {
		// A frame on a connection the server closed: close it for real.
		delete(h.clients, from)
		h.ctx.Disconnect(from, ChanClient)
	}
}

// respond sends the client frames of the Ready just handed out: an answer
// reveals only committed state, which a quorum has on disk.
func (h *host) respond() {
	cs, ok := h.server.(ClientServer)
	if !ok {
		return
	}
	for _, r := range cs.Responses() {
		to := connNode(r.Conn)
		if r.Kind == replica.KindClose && h.clients[to] == r.Conn {
			delete(h.clients, to)
		}
		h.ctx.SendOn(ChanClient, to, h.e.responses.box(r))
	}
}

// ConnReset turns a broken learner connection into the MsgReset the peer
// expects; election connections carry no state worth telling.
func (h *host) ConnReset(peer sim.NodeID, ch sim.Channel) {
	if h.server == nil {
		return
	}
	if ch == ChanClient {
		if id, ok := h.clients[peer]; ok {
			delete(h.clients, peer)
			if cs, ok := h.server.(ClientServer); ok {
				_ = cs.Disconnect(id) // ErrNoConn: the server had closed it already
				h.pump()
			}
		}
		return
	}
	if ch != sim.Channel(protocol.ChanQuorum) {
		return
	}
	from := h.e.sidOf(peer)
	h.resets++
	if h.resetAt == nil {
		h.resetAt = make([]uint64, len(h.e.nodes))
	}
	h.resetAt[from-1] = h.resets
	h.server.Step(protocol.Message{Type: protocol.MsgReset, From: from, To: h.sid})
	h.pump()
}

func (h *host) Tick() {
	if h.server == nil {
		return
	}
	h.server.Tick()
	h.pump()
}

// pump hands every Ready to the shared Carrier as the server makes it:
// early messages and client responses leave at once, storage operations
// are carried out in order on the simulated disk, a batch at a time (each
// completion a separate event, so crashes fall between them), and the
// rest of the messages follow each batch.
func (h *host) pump() {
	if h.pumping {
		return
	}
	h.pumping = true
	defer func() { h.pumping = false }()
	for h.ctx.Alive() {
		for h.server.HasReady() {
			rd := h.server.Ready()
			h.e.record.events(h, rd.Events)
			if ex, ok := h.server.(expirer); ok {
				h.e.record.expiries(h, ex.Expiries())
			}
			if h.e.debug != nil {
				h.e.debug(h.sid, h.ctx.Now(), rd.Events)
			}
			if rd.Fatal != nil {
				msg := fmt.Sprintf("server %d exits: %v", h.sid, rd.Fatal)
				h.e.refused = append(h.e.refused, msg)
				h.ctx.Note(msg)
				h.crash()
				return
			}
			h.carrier.Hand(rd, h.resets)
			h.respond()
		}
		ops, n := h.carrier.Batch()
		if n == 0 {
			return
		}
		h.persister.Persist(ops, h.persisted, h.storageFailed)
		if h.carrier.Busy() {
			return // the rest happens in disk completion events
		}
	}
}

// persisted: the batch is durable; its Readies' other messages leave and
// the server hears that each was carried out.
func (h *host) persisted() {
	for range h.carrier.Persisted() {
		if !h.ctx.Alive() {
			return
		}
		h.server.Advance()
	}
	h.pump()
}

func (h *host) storageFailed(err error) {
	if h.ctx.Alive() {
		h.ctx.Note(fmt.Sprintf("server %d storage failed: %v", h.sid, err))
		h.crash()
	}
}

func (h *host) send(m protocol.Message, madeAt uint64) {
	to := h.e.nodes[m.To-1]
	if m.Type == protocol.MsgReset {
		h.ctx.Disconnect(to, sim.Channel(protocol.ChanQuorum))
		return
	}
	if h.resetAt != nil && m.Channel() == protocol.ChanQuorum && h.resetAt[m.To-1] > madeAt {
		// The Ready was made for a connection that has broken since (a
		// reset arrived while its fsync ran): like a write to a closed
		// socket, the message goes nowhere, and never onto the next
		// connection. ZooKeeper's LearnerHandler owns its socket.
		return
	}
	h.ctx.SendOn(sim.Channel(m.Channel()), to, h.e.messages.box(m))
	if h.store.armed == "after-newleader-ack" && m.Type == protocol.MsgAck && m.Zxid.Counter() == 0 &&
		h.server.Peer().Status().Phase == protocol.PhaseSync {
		h.store.fire("after-newleader-ack")
	}
}

// slab hands out pointers to copies of values, allocated a block at a
// time: every message a server sends is boxed for the simulated network,
// and one allocation per block instead of one per message spares the
// allocator and the collector most of their work. A block lives as long
// as any of its values is referenced (by a pending delivery, a recorded
// trace); nobody writes to a value once it is sent. Boxes the network
// released (see sim.Network.OnRelease) are reused first.
type slab[T any] struct {
	block []T
	free  []*T
}

// slabBlock is the number of values per block.
const slabBlock = 128

func (s *slab[T]) box(v T) *T {
	if n := len(s.free); n > 0 {
		p := s.free[n-1]
		s.free = s.free[:n-1]
		*p = v
		return p
	}
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, slabBlock)
	}
	s.block = append(s.block, v)
	return &s.block[len(s.block)-1]
}

// reuse takes back a box nobody holds any more.
func (s *slab[T]) reuse(p *T) {
	var zero T
	*p = zero
	s.free = append(s.free, p)
}

func (h *host) crash() { h.e.s.Node(h.ctx.ID()).Crash() }

func (e *Ensemble) sidOf(node sim.NodeID) uint64 {
	for i, id := range e.nodes {
		if id == node {
			return uint64(i + 1)
		}
	}
	panic(fmt.Sprintf("ensemble: node %s is not a server", node))
}

// errCrashed stops a Carry that a crash point cut short.
var errCrashed = errors.New("crashed at a crash point")

// store is protocol.Storage on the simulated disk, plus what the recorder
// and the crash points need: the zxid of every record, and the files.
type store struct {
	ctx   *sim.NodeContext
	h     *host
	disk  *sim.Disk
	zxids []protocol.Zxid // per log record
	armed string
	// syncDone is the completion of the one fsync under way (a host
	// carries out one storage operation at a time); synced, bound once,
	// calls it, so an fsync allocates no closure.
	syncDone, synced func()
}

func newStore(ctx *sim.NodeContext, h *host) *store {
	s := &store{ctx: ctx, h: h, disk: ctx.Disk()}
	s.synced = s.onSynced
	return s
}

func (s *store) arm(point string) error {
	switch point {
	case "after-append", "after-fsync", "after-epoch-write", "mid-snapshot", "mid-sync", "after-newleader-ack", "cut-in-sync":
		s.armed = point
		return nil
	}
	return fmt.Errorf("ensemble: unknown crash point %q", point)
}

// fire crashes the server if point is armed.
func (s *store) fire(point string) bool {
	if s.armed != point || !s.ctx.Alive() {
		return false
	}
	s.armed = ""
	s.ctx.Note("crash point " + point)
	s.h.crash()
	return true
}

func (s *store) load() (protocol.Recovered, error) {
	records, rec, err := s.disk.Load()
	if err != nil {
		return protocol.Recovered{}, err
	}
	out := protocol.Recovered{Records: records, Files: map[string][]byte{}, TornTail: rec.TornTail}
	for _, name := range s.disk.Files() {
		b, err := s.disk.ReadFile(name)
		if err != nil {
			return protocol.Recovered{}, err
		}
		out.Files[name] = b
	}
	s.zxids = s.zxids[:0]
	for _, r := range records {
		if e, err := protocol.UnmarshalEntry(r); err == nil {
			s.zxids = append(s.zxids, e.Zxid)
		}
	}
	return out, nil
}

func (s *store) Append(record []byte) error {
	if !s.ctx.Alive() {
		return errCrashed
	}
	if s.h.server != nil && s.armed == "mid-sync" && s.h.server.Peer().Status().Phase == protocol.PhaseSync {
		s.fire("mid-sync")
		return errCrashed
	}
	if _, err := s.disk.Append(record); err != nil {
		return err
	}
	z, _ := protocol.EntryZxid(record)
	s.zxids = append(s.zxids, z)
	if s.fire("after-append") {
		return errCrashed
	}
	return nil
}

func (s *store) Truncate(keep int) error {
	if !s.ctx.Alive() {
		return errCrashed
	}
	if keep > s.disk.Len() {
		return fmt.Errorf("truncate to %d records of %d", keep, s.disk.Len())
	}
	s.disk.Truncate(keep)
	s.zxids = s.zxids[:keep]
	return nil
}

func (s *store) Sync(done func()) {
	s.syncDone = done
	s.disk.Sync(s.synced)
}

func (s *store) onSynced() {
	if s.fire("after-fsync") {
		return
	}
	done := s.syncDone
	s.syncDone = nil
	done()
}

func (s *store) WriteFile(name string, data []byte, done func()) {
	if strings.HasPrefix(name, "snapshot.") && s.fire("mid-snapshot") {
		return
	}
	s.disk.WriteFile(name, data, func() {
		if name == protocol.FileAcceptedEpoch || name == protocol.FileCurrentEpoch {
			s.h.e.record.epochFile(s.h, name, data)
			if name == protocol.FileCurrentEpoch && s.fire("after-epoch-write") {
				return
			}
		}
		done()
	})
}

func (s *store) RemoveFile(name string, done func()) {
	s.disk.RemoveFile(name, func() {
		done()
	})
}

// durableHas reports whether the fsynced log holds z.
func (s *store) durableHas(z protocol.Zxid) bool {
	n := min(s.disk.DurableLen(), len(s.zxids))
	for i := n - 1; i >= 0; i-- {
		if s.zxids[i] == z {
			return true
		}
		if s.zxids[i] < z {
			return false
		}
	}
	return false
}

func parseEpoch(b []byte) uint32 {
	v, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	return uint32(v)
}
