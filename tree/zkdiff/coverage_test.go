package zkdiff

import (
	"fmt"
	"slices"

	"github.com/go-zookeeper/zk"
)

// coverage counts the outcomes ZooKeeper gave, so a run can prove it
// exercised the cases the comparison is about instead of passing on a
// workload that never reaches them.
type coverage map[string]int

func (c coverage) op(o op, r result) {
	c[fmt.Sprintf("%s %s", opLabel(o), codeName(r.Err))]++
	if o.Kind == kCreate {
		// Rare outcomes are required per family, not per create mode.
		c["any create "+codeName(r.Err)]++
		if o.Flags&zk.FlagSequence != 0 {
			c["any sequential create "+codeName(r.Err)]++
		}
	}
	if o.Kind != kMulti {
		return
	}
	for i, sub := range r.Multi {
		if i < len(o.Ops) {
			c[fmt.Sprintf("multi: %s %s", opLabel(o.Ops[i]), codeName(sub.Err))]++
		}
	}
}

func opLabel(o op) string {
	if o.Kind == kCreate {
		return "create " + flagName(o.Flags)
	}
	return o.Kind.String()
}

func (c coverage) events(session int, actor int, evs []event) {
	for _, e := range evs {
		c["event "+e.Type.String()]++
		if session != actor {
			c["event from the other session"]++
		}
	}
}

// required are the outcomes every run of the default length must reach.
var required = []string{
	"create persistent OK(0)", "create ephemeral OK(0)", "create sequential OK(0)", "create ephemeral-sequential OK(0)",
	"create persistent NodeExists(-110)", "create persistent NoNode(-101)", "any create NoChildrenForEphemerals(-108)",
	"any sequential create NodeExists(-110)", "any create NoAuth(-102)", "create persistent InvalidACL(-114)",
	"createContainer OK(0)", "createTTL Unimplemented(-6)",
	"delete OK(0)", "delete NotEmpty(-111)", "delete BadVersion(-103)", "delete NoNode(-101)", "delete NoAuth(-102)",
	"setData OK(0)", "setData BadVersion(-103)", "setData NoNode(-101)", "setData NoAuth(-102)",
	"getData OK(0)", "getData NoNode(-101)", "getData NoAuth(-102)", "exists OK(0)", "exists NoNode(-101)",
	"getChildren2 OK(0)", "getChildren2 NoNode(-101)", "getACL OK(0)", "setACL OK(0)", "setACL BadVersion(-103)", "setACL NoAuth(-102)",
	"sync OK(0)", "addAuth OK(0)", "closeSession OK(0)",
	"multi OK(0)", "multi NoNode(-101)", "multi NodeExists(-110)", "multi BadVersion(-103)",
	"multi: check OK(0)", "multi: check BadVersion(-103)", "multi: create persistent RuntimeInconsistency(-2)",
	"multi: create sequential OK(0)", "multi: delete OK(0)",
	"event " + zk.EventNodeCreated.String(), "event " + zk.EventNodeDeleted.String(),
	"event " + zk.EventNodeDataChanged.String(), "event " + zk.EventNodeChildrenChanged.String(),
	"event from the other session",
}

func (c coverage) missing() []string {
	var out []string
	for _, k := range required {
		if c[k] == 0 {
			out = append(out, k)
		}
	}
	return out
}

func (c coverage) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := ""
	for _, k := range keys {
		s += fmt.Sprintf("  %6d  %s\n", c[k], k)
	}
	return s
}
