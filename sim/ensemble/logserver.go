package ensemble

import (
	"encoding/binary"
	"fmt"

	"github.com/zabsim/zabsim/protocol"
)

// LogServer is a peer whose state machine is the replicated log itself:
// Zab without ZooKeeper's tree, for testing the protocol and for model
// checking it. Its state digest chains every applied transaction.
type LogServer struct {
	peer *protocol.Peer
	app  *logApp
}

// NewLogServer is a NewServerFunc for LogServer.
func NewLogServer(cfg protocol.Config, rec protocol.Recovered, _ int64) (Server, error) {
	app := &logApp{}
	cfg.App = app
	p, err := protocol.New(cfg, rec)
	if err != nil {
		return nil, err
	}
	return &LogServer{peer: p, app: app}, nil
}

func (s *LogServer) Peer() *protocol.Peer    { return s.peer }
func (s *LogServer) Step(m protocol.Message) { s.peer.Step(m) }
func (s *LogServer) Tick()                   { s.peer.Tick() }
func (s *LogServer) HasReady() bool          { return s.peer.HasReady() }
func (s *LogServer) Ready() protocol.Ready   { return s.peer.Ready() }
func (s *LogServer) Advance()                { s.peer.Advance() }

// StateDigest chains the applied transactions.
func (s *LogServer) StateDigest() uint64 { return s.app.digest }

// Applied is how many transactions the state holds.
func (s *LogServer) Applied() int { return s.app.count }

type logApp struct {
	digest uint64
	count  int
}

func (a *logApp) Apply(z protocol.Zxid, txn []byte) {
	a.digest = chain(a.digest, uint64(z), txnDigest(txn))
	a.count++
}

func chain(h uint64, words ...uint64) uint64 {
	for _, w := range words {
		w *= 0xbf58476d1ce4e5b9
		w ^= w >> 31
		h = (h ^ w) * 1099511628211
	}
	return h
}

func (a *logApp) Snapshot() []byte {
	b := binary.BigEndian.AppendUint64(nil, a.digest)
	return binary.BigEndian.AppendUint64(b, uint64(a.count))
}

func (a *logApp) Restore(_ protocol.Zxid, data []byte) error {
	if data == nil {
		a.digest, a.count = 0, 0
		return nil
	}
	if len(data) != 16 {
		return fmt.Errorf("log snapshot of %d bytes, want 16", len(data))
	}
	a.digest = binary.BigEndian.Uint64(data)
	a.count = int(binary.BigEndian.Uint64(data[8:]))
	return nil
}

func (a *logApp) PingData() []byte              { return nil }
func (a *logApp) Receive(uint64, []byte, bool)  {}
func (a *logApp) StatusChanged(protocol.Status) {}
