package linearize

// done builds an answered operation of client c (its own session and
// stream), with the outcome derived from the result as the Recorder would.
func done(c int, xid int32, req Request, call, ret int64, res Result, zxid Zxid) Operation {
	out := OutcomeOK
	if res.Err != CodeOK || multiFailed(res) {
		out = OutcomeFailed
	}
	return Operation{Client: c, Stream: c, Session: int64(0x100 + c), Xid: xid, Req: req,
		Call: call, Return: ret, Outcome: out, Res: res, Zxid: zxid}
}

// lost builds an ambiguous operation of client c on stream s.
func lost(c, s int, xid int32, req Request, call, gaveUp int64) Operation {
	return Operation{Client: c, Stream: s, Session: int64(0x100 + c), Xid: xid, Req: req,
		Call: call, Return: Infinity, GaveUp: gaveUp, Outcome: OutcomeUnknown}
}

func z(counter uint32) Zxid { return MakeZxid(1, counter) }

func create(p, data string) Request { return Request{Kind: KindCreate, Path: p, Data: data} }
func setData(p, data string, v int32) Request {
	return Request{Kind: KindSetData, Path: p, Data: data, Version: v}
}
func del(p string, v int32) Request { return Request{Kind: KindDelete, Path: p, Version: v} }
func getData(p string) Request      { return Request{Kind: KindGetData, Path: p} }
func exists(p string) Request       { return Request{Kind: KindExists, Path: p} }
func syncReq(p string) Request      { return Request{Kind: KindSync, Path: p} }

func created(p string) Result       { return Result{Created: p} }
func version(v int32) Result        { return Result{Stat: Stat{Version: v}} }
func data(d string, v int32) Result { return Result{Data: d, Stat: Stat{Version: v}} }
func code(c ErrCode) Result         { return Result{Err: c} }

func checks(vs []Violation) []Check {
	var v Verdict
	v.Add(vs...)
	return v.Failed()
}
