package nemesis

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// retransmit is the delay a lost chunk costs: TCP resends a lost segment
// after its retransmission timeout, whose floor on Linux is 200 ms, and the
// bytes behind it wait, since the stream is in order.
const retransmit = 200 * time.Millisecond

// linkFaults is what a link does to the bytes crossing it.
type linkFaults struct {
	cut   bool
	delay time.Duration
	loss  float64
}

// link is one directed peer link (server from dialling server to, on one
// channel) carried through a TCP proxy, so that it can be cut, delayed and
// made lossy. Cutting closes the link's connections and refuses new ones,
// as a partition looks to the servers once their connections time out;
// delay holds every chunk back; loss delays a chunk by a retransmission
// timeout with the given probability, which is what packet loss does to a
// TCP stream.
type link struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	faults linkFaults
	rng    *rand.Rand
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// newLink listens on listenHost, an ephemeral port, and forwards each
// accepted connection to target.
func newLink(listenHost, target string, seed uint64) (*link, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(listenHost, "0"))
	if err != nil {
		return nil, err
	}
	l := &link{ln: ln, target: target, rng: rand.New(rand.NewPCG(seed, 0x6e656d65)), conns: map[net.Conn]bool{}}
	l.wg.Go(l.accept)
	return l, nil
}

// Addr is where the dialling server is told its peer listens.
func (l *link) Addr() string { return l.ln.Addr().String() }

func (l *link) set(f linkFaults) {
	l.mu.Lock()
	l.faults = f
	var open []net.Conn
	if f.cut {
		for c := range l.conns {
			open = append(open, c)
		}
	}
	l.mu.Unlock()
	for _, c := range open {
		c.Close()
	}
}

func (l *link) get() linkFaults {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.faults
}

// lost draws whether the next chunk is lost.
func (l *link) lost(p float64) bool {
	if p <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rng.Float64() < p
}

// track registers a connection unless the link is cut.
func (l *link) track(cs ...net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.faults.cut {
		return false
	}
	for _, c := range cs {
		l.conns[c] = true
	}
	return true
}

func (l *link) untrack(cs ...net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range cs {
		delete(l.conns, c)
		c.Close()
	}
}

func (l *link) accept() {
	for {
		in, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.wg.Go(func() { l.serve(in) })
	}
}

func (l *link) serve(in net.Conn) {
	if l.get().cut {
		in.Close()
		return
	}
	out, err := net.DialTimeout("tcp", l.target, time.Second)
	if err != nil {
		in.Close()
		return
	}
	if !l.track(in, out) {
		in.Close()
		out.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { l.pipe(out, in) })
	wg.Go(func() { l.pipe(in, out) })
	wg.Wait()
}

// pipe copies src to dst, chunk by chunk, each after the link's delay. A
// chunk is stamped when read and sent when its time comes, so the delay
// does not add up along the stream (the link has bandwidth, just latency).
func (l *link) pipe(dst, src net.Conn) {
	type chunk struct {
		b   []byte
		due time.Time
	}
	queue := make(chan chunk, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c := range queue {
			if d := time.Until(c.due); d > 0 {
				time.Sleep(d)
			}
			if _, err := dst.Write(c.b); err != nil {
				break
			}
		}
		l.untrack(dst, src)
		for range queue {
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			f := l.get()
			due := time.Now().Add(f.delay)
			if l.lost(f.loss) {
				due = due.Add(retransmit)
			}
			queue <- chunk{b: append([]byte(nil), buf[:n]...), due: due}
		}
		if err != nil {
			if err != io.EOF {
				l.untrack(dst, src)
			}
			break
		}
	}
	close(queue)
	<-done
}

// close stops the link and waits for its goroutines.
func (l *link) close() {
	l.ln.Close()
	l.set(linkFaults{cut: true})
	l.wg.Wait()
}
