package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/go-zookeeper/zk"
)

func init() {
	commands["bench"] = command{summary: "drive load through a ZooKeeper client and print ops/s and latency percentiles", run: runBench}
}

// benchConfig is one bench run.
type benchConfig struct {
	servers  []string
	clients  int
	duration time.Duration
	mix      string // read, write or mixed (90% reads)
	size     int
	pin      bool
	root     string
}

const (
	benchClientsMax = 10_000
	benchSizeMax    = 1 << 20
)

func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zabsim bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	servers := fs.String("servers", "", "host:port,... of the ensemble (required); works against any ZooKeeper")
	clients := fs.Int("clients", 16, "sessions, each with one request outstanding at a time (closed loop)")
	duration := fs.Duration("duration", 10*time.Second, "how long to measure")
	mix := fs.String("mix", "mixed", "read (getData), write (setData) or mixed (90% reads)")
	size := fs.Int("size", 100, "bytes of data per node")
	pin := fs.Bool("pin", true, "pin session i to server i mod N instead of letting the client pick")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: zabsim bench --servers host:port,... [--clients N] [--duration D] [--mix read|write|mixed]")
		fmt.Fprintln(stderr, "Drives load through go-zookeeper and prints ops/s and p50/p99/p999 latency per op kind.")
		fmt.Fprintln(stderr, "Each session reads and writes its own node under /zabsim-bench. Exits 0 when the run")
		fmt.Fprintln(stderr, "completed, 1 when it could not, 2 on bad usage.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	cfg := benchConfig{clients: *clients, duration: *duration, mix: *mix, size: *size, pin: *pin, root: "/zabsim-bench"}
	for s := range strings.SplitSeq(*servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.servers = append(cfg.servers, s)
		}
	}
	switch {
	case len(cfg.servers) == 0:
		fmt.Fprintln(stderr, "zabsim bench: --servers is required")
		return exitUsage
	case cfg.clients < 1 || cfg.clients > benchClientsMax:
		fmt.Fprintf(stderr, "zabsim bench: --clients %d is not between 1 and %d\n", cfg.clients, benchClientsMax)
		return exitUsage
	case cfg.duration <= 0:
		fmt.Fprintf(stderr, "zabsim bench: --duration %v is not positive\n", cfg.duration)
		return exitUsage
	case cfg.mix != "read" && cfg.mix != "write" && cfg.mix != "mixed":
		fmt.Fprintf(stderr, "zabsim bench: --mix %q is not read, write or mixed\n", cfg.mix)
		return exitUsage
	case cfg.size < 0 || cfg.size > benchSizeMax:
		fmt.Fprintf(stderr, "zabsim bench: --size %d is not between 0 and %d\n", cfg.size, benchSizeMax)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "zabsim bench: %v\n", err)
		return exitUnexpected
	}
	res.print(stdout, cfg)
	return exitOK
}

// histogram counts latencies in µs: exact below 128 µs, then 64 buckets
// per power of two (within 1.6%), up to about an hour.
type histogram struct {
	counts [64 * 36]int64
	n      int64
	errors int64
}

const histSub = 64

func histIndex(us int64) int {
	if us < 2*histSub {
		return int(max(us, 0))
	}
	exp := bits.Len64(uint64(us)) - 7 // us >> exp lies in [64, 128)
	return min(histSub*(exp+1)+int(us>>exp)-histSub, 64*36-1)
}

// histValue is the largest latency in µs that falls in bucket i.
func histValue(i int) int64 {
	if i < 2*histSub {
		return int64(i)
	}
	exp := i/histSub - 1
	return (int64(i%histSub+histSub)+1)<<exp - 1
}

func (h *histogram) add(d time.Duration) {
	h.counts[histIndex(d.Microseconds())]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.errors += o.errors
}

// quantile is the latency below which a fraction q of the samples fall.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return time.Duration(histValue(i)) * time.Microsecond
		}
	}
	return 0
}

type benchResult struct {
	reads, writes histogram
	elapsed       time.Duration
}

func bench(ctx context.Context, cfg benchConfig) (*benchResult, error) {
	conns := make([]*zk.Conn, cfg.clients)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	for i := range conns {
		servers := cfg.servers
		if cfg.pin {
			servers = []string{cfg.servers[i%len(cfg.servers)]}
		}
		c, events, err := zk.Connect(servers, 10*time.Second, zk.WithLogInfo(false), zk.WithLogger(quietLogger{}))
		if err != nil {
			return nil, err
		}
		conns[i] = c
		if err := waitSession(ctx, events); err != nil {
			return nil, fmt.Errorf("session %d on %s: %w", i, strings.Join(servers, ","), err)
		}
	}
	data := make([]byte, cfg.size)
	if _, err := conns[0].Create(cfg.root, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return nil, fmt.Errorf("create %s: %w", cfg.root, err)
	}
	for i, c := range conns {
		p := fmt.Sprintf("%s/c-%d", cfg.root, i)
		if _, err := c.Create(p, data, 0, zk.WorldACL(zk.PermAll)); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return nil, fmt.Errorf("create %s: %w", p, err)
		}
		if _, err := c.Sync(p); err != nil {
			return nil, fmt.Errorf("sync %s: %w", p, err)
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	results := make([]benchResult, cfg.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range conns {
		wg.Go(func() {
			p := fmt.Sprintf("%s/c-%d", cfg.root, i)
			r := rand.New(rand.NewPCG(uint64(i), 1))
			res := &results[i]
			for runCtx.Err() == nil {
				write := cfg.mix == "write" || (cfg.mix == "mixed" && r.IntN(10) == 0)
				t0 := time.Now()
				var err error
				h := &res.reads
				if write {
					h = &res.writes
					_, err = c.Set(p, data, -1)
				} else {
					_, _, err = c.Get(p)
				}
				if err != nil {
					h.errors++
					continue
				}
				h.add(time.Since(t0))
			}
		})
	}
	wg.Wait()
	total := &benchResult{elapsed: time.Since(start)}
	for i := range results {
		total.reads.merge(&results[i].reads)
		total.writes.merge(&results[i].writes)
	}
	if total.reads.n+total.writes.n == 0 {
		return nil, fmt.Errorf("no request succeeded (%d errors)", total.reads.errors+total.writes.errors)
	}
	return total, nil
}

func waitSession(ctx context.Context, events <-chan zk.Event) error {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return nil
			}
		case <-timeout:
			return errors.New("no session within 30s")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

func (r *benchResult) print(w io.Writer, cfg benchConfig) {
	fmt.Fprintf(w, "zabsim bench: %d servers, %d clients, mix %s, %d-byte data, %v\n",
		len(cfg.servers), cfg.clients, cfg.mix, cfg.size, r.elapsed.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tops/s\tp50 ms\tp99 ms\tp999 ms\terrors\t")
	var all histogram
	all.merge(&r.reads)
	all.merge(&r.writes)
	row := func(name string, h *histogram) {
		ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%d\t\n", name, float64(h.n)/r.elapsed.Seconds(),
			ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.quantile(0.999)), h.errors)
	}
	row("all", &all)
	if cfg.mix == "mixed" {
		row("read", &r.reads)
		row("write", &r.writes)
	}
	_ = tw.Flush()
}
