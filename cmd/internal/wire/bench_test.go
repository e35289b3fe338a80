package wire

import "testing"

func BenchmarkDecodeGetData(b *testing.B) {
	frame := EncodeRequest(1, &GetDataRequest{Path: "/bench/node-0000000001", Watch: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeRequest(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeGetDataReply(b *testing.B) {
	body := &GetDataResponse{Data: make([]byte, 100), Stat: sampleStat}
	b.ReportAllocs()
	for b.Loop() {
		EncodeReply(ReplyHeader{Xid: 1, Zxid: 2}, body)
	}
}

func BenchmarkDecodeMulti(b *testing.B) {
	frame := EncodeRequest(1, &MultiRequest{Ops: []MultiOp{
		&CreateRequest{Path: "/bench/a", Data: []byte("x"), ACL: WorldACL},
		&SetDataRequest{Path: "/bench", Data: []byte("y"), Version: -1},
		&CheckVersionRequest{Path: "/bench", Version: 1},
		&DeleteRequest{Path: "/bench/a", Version: -1},
	}})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeRequest(frame); err != nil {
			b.Fatal(err)
		}
	}
}
