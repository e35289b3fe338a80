package live

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/wire"
	"github.com/zabsim/zabsim/protocol"
	"github.com/zabsim/zabsim/protocol/replica"
)

// memStore is protocol.Storage in memory, for driving a replica without a
// host.
type memStore struct {
	records [][]byte
	files   map[string][]byte
}

func (m *memStore) Append(r []byte) error { m.records = append(m.records, r); return nil }
func (m *memStore) Truncate(keep int) error {
	m.records = m.records[:keep]
	return nil
}
func (m *memStore) Sync(done func()) { done() }
func (m *memStore) WriteFile(name string, data []byte, done func()) {
	m.files[name] = data
	done()
}
func (m *memStore) RemoveFile(name string, done func()) {
	delete(m.files, name)
	done()
}

// fuzzServer is one serving single-voter replica with one connected
// session on connection 1, driven the way the live host drives it.
func fuzzServer(t *testing.T) (*replica.Server, func()) {
	q, err := protocol.NewMajority([]uint64{1})
	if err != nil {
		t.Fatal(err)
	}
	rc := replica.DefaultConfig()
	rc.Peer.ID, rc.Peer.Quorum = 1, q
	rc.Peer.Tick, rc.Peer.TickTime = 50*time.Millisecond, 200*time.Millisecond
	rc.StartMs = 1_700_000_000_000
	srv, err := replica.New(rc, protocol.Recovered{})
	if err != nil {
		t.Fatal(err)
	}
	st := &memStore{files: map[string][]byte{}}
	info := map[int32]reqInfo{}
	pump := func() {
		for srv.HasReady() {
			rd := srv.Ready()
			if rd.Fatal != nil {
				t.Fatalf("fatal: %v", rd.Fatal)
			}
			protocol.Carry(rd, st, func(protocol.Message) {}, func() {}, func(err error) { t.Fatal(err) })
			for _, r := range srv.Responses() {
				f := outFrame{resp: r, info: info[r.Xid]}
				if len(f.encode()) == 0 && r.Kind != replica.KindClose {
					t.Fatalf("empty frame for %s", r)
				}
			}
			srv.Advance()
		}
	}
	for i := 0; !srv.Peer().Status().Serving; i++ {
		if i > 1000 {
			t.Fatal("a single voter does not serve")
		}
		srv.Tick()
		pump()
	}
	if err := srv.Connect(1, replica.Connect{Timeout: 4000, Passwd: make([]byte, 16)}); err != nil {
		t.Fatal(err)
	}
	pump()
	return srv, pump
}

// FuzzServeRequests feeds decoded client frames, whatever they hold, to a
// replica as the client port does and encodes every response: no input
// may panic the server.
func FuzzServeRequests(f *testing.F) {
	var seed bytes.Buffer
	for i, r := range []wire.Request{
		&wire.CreateRequest{Path: "/a", Data: []byte("x"), ACL: wire.WorldACL, Flags: 3},
		&wire.CreateContainerRequest{Path: "/c", ACL: wire.WorldACL, Flags: 4},
		&wire.GetDataRequest{Path: "/a", Watch: true},
		&wire.SetDataRequest{Path: "/a", Version: -1},
		&wire.MultiRequest{Ops: []wire.MultiOp{&wire.CreateRequest{Path: "/m", ACL: wire.WorldACL},
			&wire.CheckVersionRequest{Path: "/m"}, &wire.DeleteRequest{Path: "/m", Version: -1}}},
		&wire.MultiReadRequest{Ops: []wire.MultiOp{&wire.GetDataRequest{Path: "/a"}, &wire.GetChildrenRequest{Path: "/"}}},
		&wire.SetWatchesRequest{RelativeZxid: 1, DataWatches: []string{"/a"}, ExistWatches: []string{"/z"}},
		&wire.AddWatchRequest{Path: "/", Mode: 1},
		&wire.AuthRequest{Scheme: "digest", Auth: []byte("u:p")},
		&wire.SetACLRequest{Path: "/a", ACL: []wire.ACL{{Perms: 1, ID: wire.Id{Scheme: "auth"}}}, Version: -1},
		&wire.SyncRequest{Path: "/"},
		&wire.GetEphemeralsRequest{PrefixPath: "/"},
		&wire.RemoveWatchesRequest{Path: "/a", Type: 3},
		&wire.CloseSessionRequest{},
	} {
		body := wire.EncodeRequest(int32(i+1), r)
		f.Add(wire.AppendFrame(nil, body))
		seed.Write(wire.AppendFrame(nil, body))
	}
	f.Add(seed.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		srv, pump := fuzzServer(t)
		r := bytes.NewReader(in)
		for i := 0; i < 64; i++ {
			body, err := wire.ReadFrame(r, wire.DefaultMaxRequestFrame)
			if err != nil {
				break
			}
			h, req, err := wire.DecodeRequest(body)
			var rr replica.Request
			switch {
			case err == nil:
				rr, _ = toRequest(h, req)
			case errors.Is(err, wire.ErrUnknownOpcode):
				rr, _ = unknownRequest(h)
			default:
				continue
			}
			if err := srv.Submit(1, rr); err != nil {
				return // the server closed the connection
			}
			pump()
			srv.Tick()
			pump()
		}
	})
}
