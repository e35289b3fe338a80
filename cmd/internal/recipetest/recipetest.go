// Package recipetest runs recipes through the go-zookeeper adapter
// (recipes/gozk) against a running ensemble, a live zabsim one or Apache
// ZooKeeper: several clients at once, each on a connection of its own, a
// fault (a server killed and restarted, say) in the middle of the run,
// and every group's log judged by its recipe's checker in recipes/check,
// the same checkers the simulator's scenarios use.
package recipetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/recipes"
	"github.com/zabsim/zabsim/recipes/check"
	"github.com/zabsim/zabsim/recipes/gozk"
)

// Group is clients running one recipe on one directory, recording into
// one log.
type Group struct {
	Name    string
	Log     *recipes.Log
	clients []client
	judge   func(*recipes.Log) ([]linearize.Violation, error)
	// done is what a client records once a round: each client must
	// record it its rounds times.
	done recipes.Kind
}

type client struct {
	name   string
	run    func(recipes.Conn) error
	rounds int // 0: as many as it finds work for (a queue's consumer)
}

// Locks is n LockWorkers taking the lock on /name rounds times each and
// writing to one resource, fenced or not.
func Locks(name string, n, rounds int, fenced bool) Group {
	g := Group{Name: name, Log: &recipes.Log{}, done: recipes.LockAcquired,
		judge: func(l *recipes.Log) ([]linearize.Violation, error) { return check.Lock(l, fenced) }}
	res := recipes.NewResource(g.Log, fenced)
	for i := range n {
		w := recipes.LockWorker{Name: fmt.Sprintf("%s-%d", name, i+1), Dir: "/" + name, Log: g.Log, Resource: res,
			Rounds: rounds, Hold: 30 * time.Millisecond, Think: 10 * time.Millisecond}
		g.clients = append(g.clients, client{w.Name, w.Run, rounds})
	}
	return g
}

// Elections is n Candidates in /name, each winning terms times.
func Elections(name string, n, terms int) Group {
	g := Group{Name: name, Log: &recipes.Log{}, done: recipes.Elected, judge: check.Election}
	for i := range n {
		k := recipes.Candidate{Name: fmt.Sprintf("%s-%d", name, i+1), Dir: "/" + name, Log: g.Log,
			Terms: terms, Lead: 150 * time.Millisecond, Tick: 10 * time.Millisecond, Think: 10 * time.Millisecond}
		g.clients = append(g.clients, client{k.Name, k.Run, terms})
	}
	return g
}

// Queue is n producers putting items each in the queue at /name, one
// every 100 ms, and n consumers taking them until every producer is done
// and the queue is empty.
func Queue(name string, n, items int) Group {
	g := Group{Name: name, Log: &recipes.Log{}, done: recipes.Produced, judge: check.Queue}
	var producing atomic.Int32
	producing.Store(int32(n))
	for i := range n {
		p := recipes.Producer{Name: fmt.Sprintf("%s-p%d", name, i+1), Dir: "/" + name, Log: g.Log,
			Items: items, Every: 100 * time.Millisecond}
		k := recipes.Consumer{Name: fmt.Sprintf("%s-c%d", name, i+1), Dir: "/" + name, Log: g.Log,
			Work: 10 * time.Millisecond}
		produce := func(c recipes.Conn) error {
			defer producing.Add(-1)
			return p.Run(c)
		}
		// A Consumer stops once its Until has passed and it finds the
		// queue empty; how long the producers take under a fault is not
		// known in advance, so it runs again until a run that began
		// after the last producer was done.
		consume := func(c recipes.Conn) error {
			for {
				last := producing.Load() == 0
				k.Until = c.Now() + 200*time.Millisecond
				if err := k.Run(c); err != nil || last {
					return err
				}
			}
		}
		g.clients = append(g.clients, client{p.Name, produce, items}, client{k.Name, consume, 0})
	}
	return g
}

// Config is how a run connects, when its fault comes and how long it may
// take.
type Config struct {
	Servers        []string
	SessionTimeout time.Duration
	Logger         zk.Logger
	// Fault runs once, as soon as the clients of every group have
	// finished FaultAfter rounds between them, while they go on.
	Fault      func() error
	FaultAfter int
	// Timeout bounds the whole run; clients still busy then are cut off
	// (their connections closed) and the run fails.
	Timeout time.Duration
}

// ErrRun: the run did not go as the recipes promise (a violation, a
// client that failed or did not finish, a fault that could not be made).
var ErrRun = errors.New("recipetest: run failed")

// Result is what a run saw, per group.
type Result struct {
	Took time.Duration
	// When the fault began and ended, -1 if it never did.
	FaultAt, FaultEnd time.Duration
	// Counts are each group's log entries by kind.
	Counts map[string]map[recipes.Kind]int
	// Sessions are the session events the clients' recipes took from
	// Next: what the fault did to them.
	Sessions map[recipes.EventType]int
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "took %v, fault from %v to %v", r.Took.Round(time.Millisecond), r.FaultAt.Round(time.Millisecond), r.FaultEnd.Round(time.Millisecond))
	for _, name := range slices.Sorted(maps.Keys(r.Counts)) {
		fmt.Fprintf(&b, "; %s:", name)
		for k := recipes.LockAcquired; k <= recipes.BarrierLeft; k++ {
			if n := r.Counts[name][k]; n > 0 {
				fmt.Fprintf(&b, " %d %s", n, k)
			}
		}
	}
	b.WriteString("; session events seen:")
	for _, t := range []recipes.EventType{recipes.EventDisconnected, recipes.EventConnected, recipes.EventExpired} {
		fmt.Fprintf(&b, " %d %s", r.Sessions[t], t)
	}
	return b.String()
}

// Run runs every group's clients at once, makes the fault in the middle
// and judges the logs. Its error names every violation, failed or
// unfinished client and fault error, with ErrRun.
func Run(cfg Config, groups ...Group) (Result, error) {
	start := time.Now()
	res := Result{FaultAt: -1, FaultEnd: -1, Counts: map[string]map[recipes.Kind]int{}, Sessions: map[recipes.EventType]int{}}
	var conns []*gozk.Conn
	var problems []string
	var mu sync.Mutex
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	// Every connection is dialed before any client starts, so a bad
	// configuration leaves nothing running.
	var clients []client
	for _, g := range groups {
		for _, cl := range g.clients {
			c, err := gozk.Dial(gozk.Config{Servers: cfg.Servers, SessionTimeout: cfg.SessionTimeout, Start: start, Logger: cfg.Logger})
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return res, err
			}
			conns = append(conns, c)
			clients = append(clients, cl)
		}
	}
	var wg sync.WaitGroup
	for i, cl := range clients {
		c := conns[i]
		wg.Go(func() {
			if err := cl.run(counting{c, func(t recipes.EventType) {
				mu.Lock()
				defer mu.Unlock()
				res.Sessions[t]++
			}}); err != nil {
				fail("%s: %v", cl.name, err)
			}
			if n := c.Dropped(); n > 0 {
				fail("%s: %d events did not fit in the queue", cl.name, n)
			}
			c.Close()
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()

	faultDone := make(chan struct{})
	go func() {
		defer close(faultDone)
		if cfg.Fault == nil {
			return
		}
		for !progressed(groups, cfg.FaultAfter) {
			select {
			case <-finished:
				fail("the clients finished before the fault (every group %d rounds in)", cfg.FaultAfter)
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		mu.Lock()
		res.FaultAt = time.Since(start)
		mu.Unlock()
		if err := cfg.Fault(); err != nil {
			fail("fault: %v", err)
		}
		mu.Lock()
		res.FaultEnd = time.Since(start)
		mu.Unlock()
	}()

	select {
	case <-finished:
	case <-time.After(cfg.Timeout):
		fail("clients still busy after %v", cfg.Timeout)
		for _, c := range conns {
			c.Close()
		}
		<-finished
	}
	res.Took = time.Since(start)
	<-faultDone

	for _, g := range groups {
		counts := map[recipes.Kind]int{}
		perClient := map[string]int{}
		entries := g.Log.Entries()
		for _, e := range entries {
			counts[e.Kind]++
			if e.Kind == g.done {
				perClient[e.Client]++
			}
		}
		res.Counts[g.Name] = counts
		if n := len(entries); res.FaultEnd >= 0 && (n == 0 || entries[n-1].At < res.FaultEnd) {
			fail("%s: its clients were done before the fault was over at %v: make the run longer", g.Name, res.FaultEnd)
		}
		for _, cl := range g.clients {
			if n := perClient[cl.name]; cl.rounds > 0 && n != cl.rounds {
				fail("%s: %d %s of %d", cl.name, n, g.done, cl.rounds)
			}
		}
		vs, err := g.judge(g.Log)
		if err != nil {
			fail("%s: %v", g.Name, err)
		}
		for _, v := range vs {
			fail("%s: %s: %s\n\t%s", g.Name, v.Check, v.Summary, strings.Join(v.Evidence, "\n\t"))
		}
	}
	if len(problems) > 0 {
		return res, fmt.Errorf("%w: %s", ErrRun, strings.Join(problems, "\n"))
	}
	return res, nil
}

// progressed reports whether every group's clients finished n rounds
// between them.
func progressed(groups []Group, n int) bool {
	for _, g := range groups {
		done := 0
		for _, e := range g.Log.Entries() {
			if e.Kind == g.done {
				done++
			}
		}
		if done < n {
			return false
		}
	}
	return true
}

// counting is a connection that reports each session event its recipe
// takes.
type counting struct {
	*gozk.Conn
	seen func(recipes.EventType)
}

func (c counting) Next(d time.Duration) (recipes.Event, bool) {
	ev, ok := c.Conn.Next(d)
	if ok && ev.Session() {
		c.seen(ev.Type)
	}
	return ev, ok
}
