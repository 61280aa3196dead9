package bincodec

import (
	"math"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var b []byte
	b = AppendUvarint(b, 300)
	b = AppendVarint(b, -7)
	b = AppendFloat(b, math.Inf(-1))
	b = AppendString(b, "héllo")
	b = AppendBool(b, true)
	b = AppendUvarint(b, 2) // a count of two 8-byte floats
	b = AppendFloat(b, 1.5)
	b = AppendFloat(b, math.NaN())
	r := NewReader(b)
	if v := r.Uvarint("u"); v != 300 {
		t.Errorf("Uvarint %d", v)
	}
	if v := r.Varint("v"); v != -7 {
		t.Errorf("Varint %d", v)
	}
	if v := r.Float("f"); !math.IsInf(v, -1) {
		t.Errorf("Float %v", v)
	}
	if v := r.String("s"); v != "héllo" {
		t.Errorf("String %q", v)
	}
	if v := r.Bool("b"); !v {
		t.Error("Bool false")
	}
	if n := r.Count("floats", 8); n != 2 || r.Float("x") != 1.5 || !math.IsNaN(r.Float("y")) {
		t.Errorf("Count %d", n)
	}
	if err := r.Done(); err != nil {
		t.Error(err)
	}
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		read func(r *Reader)
		want string
	}{
		"truncated varint":  {[]byte{0x80}, func(r *Reader) { r.Uvarint("size") }, "at offset 0: bad or truncated size"},
		"truncated float":   {[]byte{1, 2, 3}, func(r *Reader) { r.Float("mean") }, "truncated mean"},
		"count beyond data": {AppendUvarint(nil, 5), func(r *Reader) { r.Count("values", 8) }, "values 5 exceeds the remaining 0 bytes"},
		"int out of range":  {AppendUvarint(nil, 1<<40), func(r *Reader) { r.Int("option") }, "option 1099511627776 is out of range"},
		"bad boolean":       {[]byte{2}, func(r *Reader) { r.Bool("flag") }, "invalid flag"},
		"string too long":   {AppendUvarint(nil, 3), func(r *Reader) { r.String("name") }, "name length 3 exceeds"},
		"trailing bytes":    {[]byte{1, 9}, func(r *Reader) { r.Uvarint("x") }, "at offset 1: 1 trailing bytes"},
		"first error stays": {[]byte{0x80}, func(r *Reader) { r.Uvarint("a"); r.Fail("later") }, "bad or truncated a"},
	} {
		r := NewReader(tc.data)
		tc.read(r)
		err := r.Done()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
		if r.Uvarint("after") != 0 {
			t.Errorf("%s: a read after the error gave a value", name)
		}
	}
}
