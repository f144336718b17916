package poll

import (
	"encoding/base64"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// FuzzCursor checks the cursor codec both ways. Any text a client sends
// decodes only when it is exactly what this server's key issued (so the
// one text of a position is its encoding), and every position the server
// encodes decodes to itself, while changing one character of it does not.
func FuzzCursor(f *testing.F) {
	cc := newCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	issued := cc.encode(position{sort: app.SortOldest, createdAt: 1774857600123,
		id: uuid.MustParse("0190c2a4-7d2e-7c1a-9f3b-2f1e4d5c6b7a"), filter: filterHash("u", "pending", "", "")})
	f.Add(issued, true, int64(1774857600123), []byte("0123456789abcdef"), []byte("filter!!"), uint8(10), byte('A'))
	f.Add("", false, int64(-1), []byte{}, []byte{}, uint8(0), byte('-'))
	f.Add(issued[:66]+"=", false, int64(0), []byte{0xff}, []byte{1}, uint8(66), byte('_'))
	f.Add("AQ"+issued[2:], false, int64(1<<62), []byte("x"), []byte("y"), uint8(1), byte('B'))
	f.Fuzz(func(t *testing.T, text string, oldest bool, createdAt int64, id, filter []byte, at uint8, c byte) {
		if p, ok := cc.decode(text); ok {
			if again := cc.encode(p); again != text {
				t.Fatalf("decode(%q) = %+v, which encodes as %q", text, p, again)
			}
		}

		p := position{sort: app.SortNewest, createdAt: createdAt}
		if oldest {
			p.sort = app.SortOldest
		}
		copy(p.id[:], id)
		copy(p.filter[:], filter)
		enc := cc.encode(p)
		if len(enc) != base64.RawURLEncoding.EncodedLen(cursorLen) {
			t.Fatalf("encode(%+v) = %q: %d characters", p, enc, len(enc))
		}
		if got, ok := cc.decode(enc); !ok || got != p {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", p, got, ok)
		}
		i := int(at) % len(enc)
		if c == enc[i] {
			return
		}
		changed := enc[:i] + string(c) + enc[i+1:]
		if _, ok := cc.decode(changed); ok {
			t.Fatalf("%q, one character off the issued %q, decodes", changed, enc)
		}
	})
}
