package linearize

import "sort"

// plan is one operation before it runs: its client, request and the three
// instants of its life (the effect happens at lin).
type plan struct {
	client         int
	req            Request
	call, lin, ret int64
	ambiguous      bool
}

// draw returns a choice in [0, n); it is a seeded rand in benchmarks and a
// rapid generator in property tests, so both share one workload.
type draw func(n int) int

// workload generates plans: each client issues its next request after the
// previous one returned; with concurrent false only one request is in flight
// at a time, so every interleaving is the sequential one.
func workload(d draw, clients, keys, n int, concurrent bool, ambiguousPct int) []plan {
	cursor := make([]int64, clients)
	var global int64
	var plans []plan
	next := func(c int) (int64, int64, int64) {
		start := cursor[c]
		if !concurrent {
			start = global
		}
		call := start + 1 + int64(d(50))
		lin := call + 1 + int64(d(100))
		ret := lin + 1 + int64(d(100))
		cursor[c], global = ret, ret
		return call, lin, ret
	}
	for len(plans) < n {
		c := d(clients)
		key := "/k" + itoa(d(keys))
		data := "c" + itoa(c) + "-" + itoa(len(plans))
		version := int32(d(4)) - 1
		var req Request
		syncFirst := false
		switch k := d(100); {
		case k < 30:
			req = Request{Kind: KindSetData, Path: key, Data: data, Version: version}
		case k < 42:
			req = Request{Kind: KindCreate, Path: key, Data: data}
		case k < 50:
			req = Request{Kind: KindDelete, Path: key, Version: version}
		case k < 68:
			req = Request{Kind: KindGetData, Path: key}
		case k < 83:
			req, syncFirst = Request{Kind: KindGetData, Path: key}, true
		case k < 88:
			req = Request{Kind: KindExists, Path: key}
		case k < 95:
			other := "/k" + itoa(d(keys))
			req = Request{Kind: KindMulti, Ops: []Request{
				{Kind: KindSetData, Path: key, Data: data, Version: version},
				{Kind: KindCreate, Path: other, Data: data},
			}}
		default:
			req = Request{Kind: KindCreate, Path: "/q-", Data: data, Sequential: true}
		}
		if syncFirst {
			call, lin, ret := next(c)
			plans = append(plans, plan{client: c, req: Request{Kind: KindSync, Path: key}, call: call, lin: lin, ret: ret})
		}
		call, lin, ret := next(c)
		amb := req.Kind.IsWrite() && d(100) < ambiguousPct
		plans = append(plans, plan{client: c, req: req, call: call, lin: lin, ret: ret, ambiguous: amb})
	}
	return plans
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// build runs the plans through the reference tree in linearization order
// and records the history the clients would have seen.
func build(plans []plan) ([]Operation, *refTree) {
	ops := make([]Operation, len(plans))
	stream := map[int]int{}
	xid := map[int]int32{}
	nextStream := 0
	byCall := make([]int, len(plans))
	for i := range byCall {
		byCall[i] = i
	}
	sort.SliceStable(byCall, func(a, b int) bool { return plans[byCall[a]].call < plans[byCall[b]].call })
	for _, i := range byCall {
		p := plans[i]
		s, ok := stream[p.client]
		if !ok {
			s = nextStream
			nextStream++
			stream[p.client] = s
		}
		xid[p.client]++
		ops[i] = Operation{Client: p.client, Stream: s, Session: int64(0x100 + p.client), Xid: xid[p.client],
			Req: p.req, Call: p.call, Return: p.ret}
		if p.ambiguous {
			stream[p.client] = nextStream
			nextStream++
		}
	}
	byLin := make([]int, len(plans))
	copy(byLin, byCall)
	sort.SliceStable(byLin, func(a, b int) bool { return plans[byLin[a]].lin < plans[byLin[b]].lin })
	t := newRefTree()
	for _, i := range byLin {
		t.exec(&ops[i])
		if plans[i].ambiguous {
			ops[i].Outcome, ops[i].Return, ops[i].GaveUp = OutcomeUnknown, Infinity, plans[i].ret
			ops[i].Res, ops[i].Zxid = Result{}, 0
		}
	}
	return ops, t
}
