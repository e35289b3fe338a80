package live

import (
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zabsim/zabsim/cmd/internal/wire"
)

// startOne starts a single-server ensemble member directly.
func startOne(t *testing.T, cfg Config) *Server {
	t.Helper()
	ports, err := FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ID = 1
	cfg.Peers = map[uint64]Peer{1: {Quorum: loopback(ports[0]), Election: loopback(ports[1])}}
	cfg.ClientAddr = "127.0.0.1:0"
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.TickTime = testTickTime
	cfg.Logf = testLogf(t)
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for !s.Status().Serving {
		if time.Now().After(deadline) {
			t.Fatalf("not serving: %s", s.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// TestStopWithIdleConnections: Stop returns although clients hold
// connections that never send a byte, and the server says why it ended.
func TestStopWithIdleConnections(t *testing.T) {
	t.Parallel()
	s := startOne(t, Config{})
	session := dialRaw(t, s.ClientAddr(), 0, nil, 4000)
	if session.session == 0 {
		t.Fatal("no session")
	}
	idle, err := net.Dial("tcp", s.ClientAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	stopped := make(chan struct{})
	go func() {
		s.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop hangs on idle client connections")
	}
	if !errors.Is(s.Err(), ErrStopped) {
		t.Fatalf("Err after Stop = %v", s.Err())
	}
	if !session.closed() {
		t.Fatal("a client connection outlived the server")
	}
}

// TestMaxClientCnxns: connections from one address beyond the limit are
// closed at once, as ZooKeeper's maxClientCnxns does.
func TestMaxClientCnxns(t *testing.T) {
	t.Parallel()
	s := startOne(t, Config{MaxClientCnxns: 2})
	a := dialRaw(t, s.ClientAddr(), 0, nil, 4000)
	b := dialRaw(t, s.ClientAddr(), 0, nil, 4000)
	if a.session == 0 || b.session == 0 {
		t.Fatal("no session within the limit")
	}
	nc, err := net.Dial("tcp", s.ClientAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := nc.Read(make([]byte, 1)); err == nil || n != 0 || isTimeout(err) {
		t.Fatalf("third connection: read %d, %v; want it closed", n, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestNoGoroutinesLeft: after Stop, nothing the server started runs on.
// Not parallel, so that other tests' goroutines do not count.
func TestNoGoroutinesLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	s := startOne(t, Config{FourLetterWords: []string{"*"}})
	a := dialRaw(t, s.ClientAddr(), 0, nil, 4000)
	a.call(&wire.CreateRequest{Path: "/g", ACL: wire.WorldACL, Flags: 1})
	_ = dialRaw(t, s.ClientAddr(), a.session, a.passwd, 4000) // replaces a's connection
	idle, err := net.Dial("tcp", s.ClientAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if got := fourLetter(t, s.ClientAddr(), "srvr"); !strings.Contains(got, "Mode: standalone") {
		t.Fatalf("srvr = %q", got)
	}
	s.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after Stop:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	good := func() Config {
		return Config{ID: 1, Peers: map[uint64]Peer{1: {Quorum: "127.0.0.1:0", Election: "127.0.0.1:0"}},
			ClientAddr: "127.0.0.1:0", Dir: t.TempDir(), TickTime: time.Second}
	}
	for name, mutate := range map[string]func(*Config){
		"id not a peer":   func(c *Config) { c.ID = 2 },
		"id zero":         func(c *Config) { c.ID = 0; c.Peers[0] = c.Peers[1] },
		"no dir":          func(c *Config) { c.Dir = "" },
		"no tickTime":     func(c *Config) { c.TickTime = 0 },
		"tick > tickTime": func(c *Config) { c.Tick = 2 * time.Second },
		"negative frame":  func(c *Config) { c.MaxFrame = -1 },
		"only observers":  func(c *Config) { c.Peers[1] = Peer{Quorum: "127.0.0.1:0", Election: "127.0.0.1:0", Observer: true} },
	} {
		cfg := good()
		mutate(&cfg)
		if s, err := Start(cfg); !errors.Is(err, ErrServerConfig) {
			if s != nil {
				s.Stop()
			}
			t.Errorf("%s: %v, want ErrServerConfig", name, err)
		}
	}
}
