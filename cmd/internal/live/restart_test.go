package live

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// TestLeaderRestartsUnderLoad stops and restarts the leader twice while
// clients write; every write a client saw acknowledged is there at the
// end, read through every server.
func TestLeaderRestartsUnderLoad(t *testing.T) {
	t.Parallel()
	e := startTestEnsemble(t, 3)
	const writers = 4
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		c, _ := connect(t, e.ClientAddrs(), 4*time.Second)
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := fmt.Sprintf("/w%d-%04d", w, i)
				_, err := c.Create(p, nil, 0, zk.WorldACL(zk.PermAll))
				switch {
				case err == nil, errors.Is(err, zk.ErrNodeExists): // a retry of a create that had succeeded
					mu.Lock()
					acked[p] = true
					mu.Unlock()
				default:
					time.Sleep(20 * time.Millisecond) // connection loss while the leader is away
				}
			}
		})
	}
	for range 2 {
		time.Sleep(300 * time.Millisecond)
		leader := e.Leader()
		if leader == 0 {
			mustf(t, e.WaitServing(20*time.Second), "serving")
			leader = e.Leader()
		}
		e.Stop(leader)
		mustf(t, e.WaitServing(20*time.Second), "a new leader after stopping %d", leader)
		mustf(t, e.Restart(leader), "restart %d", leader)
		mustf(t, e.WaitServing(20*time.Second), "serving after restarting %d", leader)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 20 {
		t.Fatalf("only %d writes acknowledged", len(acked))
	}
	for sid, addr := range e.ClientAddrs() {
		c, _ := connect(t, []string{addr}, 4*time.Second)
		_, err := c.Sync("/")
		mustf(t, err, "sync on server %d", sid+1)
		kids, _, err := c.Children("/")
		mustf(t, err, "children on server %d", sid+1)
		have := map[string]bool{}
		for _, k := range kids {
			have["/"+k] = true
		}
		for p := range acked {
			if !have[p] {
				t.Errorf("server %d lost acknowledged %s", sid+1, p)
			}
		}
	}
	t.Logf("%d writes acknowledged", len(acked))
}
