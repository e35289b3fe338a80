package nemesis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zabsim/zabsim/linearize"
)

// client is one go-zookeeper session doing recorded operations.
type client struct {
	id   int
	conn *zk.Conn
	tap  *tap
	h    *history
}

// quiet drops go-zookeeper's log lines: under a nemesis it logs every
// reconnect, and the history says what matters.
type quiet struct{}

func (quiet) Printf(string, ...any) {}

func connectClient(id int, addrs []string, h *history, sessionTimeout time.Duration) (*client, error) {
	t := &tap{}
	conn, _, err := zk.Connect(addrs, sessionTimeout, zk.WithDialer(t.dial), zk.WithLogger(quiet{}))
	if err != nil {
		return nil, fmt.Errorf("nemesis: client %d: %w", id, err)
	}
	return &client{id: id, conn: conn, tap: t, h: h}, nil
}

func statOf(s *zk.Stat) linearize.Stat {
	if s == nil {
		return linearize.Stat{}
	}
	return linearize.Stat{Version: s.Version, Czxid: uint64(s.Czxid), Mzxid: uint64(s.Mzxid), Pzxid: uint64(s.Pzxid)}
}

func (c *client) record(req linearize.Request, call func() (linearize.Result, error)) (linearize.Result, linearize.Outcome, error) {
	return c.h.do(c.id, c.tap, c.conn.SessionID(), req, call)
}

func (c *client) create(p, data string) (linearize.Outcome, error) {
	_, out, err := c.record(linearize.Request{Kind: linearize.KindCreate, Path: p, Data: data},
		func() (linearize.Result, error) {
			created, err := c.conn.Create(p, []byte(data), 0, zk.WorldACL(zk.PermAll))
			return linearize.Result{Created: created}, err
		})
	return out, err
}

func (c *client) set(p, data string, version int32) (linearize.Outcome, error) {
	_, out, err := c.record(linearize.Request{Kind: linearize.KindSetData, Path: p, Data: data, Version: version},
		func() (linearize.Result, error) {
			st, err := c.conn.Set(p, []byte(data), version)
			return linearize.Result{Stat: statOf(st)}, err
		})
	return out, err
}

func (c *client) sync(p string) (linearize.Outcome, error) {
	_, out, err := c.record(linearize.Request{Kind: linearize.KindSync, Path: p},
		func() (linearize.Result, error) {
			_, err := c.conn.Sync(p)
			return linearize.Result{}, err
		})
	return out, err
}

func (c *client) get(p string) (linearize.Result, linearize.Outcome, error) {
	return c.record(linearize.Request{Kind: linearize.KindGetData, Path: p},
		func() (linearize.Result, error) {
			data, st, err := c.conn.Get(p)
			return linearize.Result{Data: string(data), Stat: statOf(st)}, err
		})
}

// keyPath is the znode of key k.
func keyPath(k int) string { return fmt.Sprintf("/nemesis-%d", k) }

// load runs client c until ctx ends: blind writes, conditional writes
// with the version last read, reads, and sync+read pairs (the reads
// Porcupine judges), each on a random key. Writes carry unique data.
func (c *client) load(ctx context.Context, keys int, rng *rand.Rand) error {
	versions := map[string]int32{}
	for n := 0; ctx.Err() == nil; n++ {
		p := keyPath(rng.IntN(keys))
		data := fmt.Sprintf("c%d-%d", c.id, n)
		var out linearize.Outcome
		var err error
		switch r := rng.IntN(100); {
		case r < 35:
			out, err = c.set(p, data, -1)
		case r < 50:
			out, err = c.set(p, data, versions[p])
		case r < 80:
			if out, err = c.sync(p); err == nil && out == linearize.OutcomeOK {
				var res linearize.Result
				res, out, err = c.get(p)
				versions[p] = res.Stat.Version
			}
		default:
			var res linearize.Result
			res, out, err = c.get(p)
			versions[p] = res.Stat.Version
		}
		if err != nil {
			return err
		}
		if out == linearize.OutcomeUnknown {
			// The session is between servers; do not spin on it.
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
