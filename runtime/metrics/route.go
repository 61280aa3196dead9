package metrics

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tfxc/tfxc/internal/bincodec"
	"github.com/tfxc/tfxc/runtime/batch"
)

// Routing examples to slices is the Evaluator's inner loop. It computes
// the same keys as slicer.keys, but writes each key's id into a reused
// buffer and looks the slice up by it, so that an example of a known slice
// allocates nothing.

// router holds the scratch space of one Add call.
type router struct {
	buf   []byte
	vals  [][]SliceValue
	idx   []int
	check []SliceValue
	// cols caches the batch's columns by name.
	cols map[string]*batch.Column
}

func (rt *router) column(b *batch.Batch, name string) *batch.Column {
	if b == nil {
		return nil
	}
	c, ok := rt.cols[name]
	if !ok {
		c = b.Column(name)
		rt.cols[name] = c
	}
	return c
}

// rowValuesInto is rowValues into dst's storage.
func rowValuesInto(dst []SliceValue, col *batch.Column, r int) ([]SliceValue, bool, error) {
	dst = dst[:0]
	if col == nil || r >= col.Rows() || col.Missing[r] {
		return dst, false, nil
	}
	lo, hi := col.Values(r)
	for i := lo; i < hi; i++ {
		switch col.Kind {
		case batch.Int:
			dst = append(dst, IntValue(col.Ints[i]))
		case batch.Float:
			dst = append(dst, FloatValue(float64(col.Floats[i])))
		case batch.Bytes:
			s := col.Strings[i]
			if !utf8.ValidString(s) {
				return dst, true, errNonUTF8(s, col.Name)
			}
			dst = append(dst, StringValue(s))
		default:
			return dst, true, errKind(col)
		}
	}
	if len(dst) > 1 {
		slices.SortFunc(dst, compareValues)
		dst = slices.CompactFunc(dst, func(a, b SliceValue) bool { return compareValues(a, b) == 0 })
	}
	return dst, true, nil
}

// resolve appends to dst the slices row r belongs to under every slicer,
// each once. A slice not yet in e.slices is looked up, or created, in
// pending, which Add commits only when the whole batch resolved.
func (e *Evaluator) resolve(dst []*sliceAcc, rt *router, pending map[string]*sliceAcc, b *batch.Batch, r int) ([]*sliceAcc, error) {
	start := len(dst)
	for _, sl := range e.slicers {
		matched := true
		for _, m := range sl.matches {
			var ok bool
			var err error
			rt.check, ok, err = rowValuesInto(rt.check, rt.column(b, m.Column), r)
			if err != nil {
				return dst, err
			}
			if !ok || !matchesValue(m.Value, rt.check) {
				matched = false
				break
			}
		}
		if !matched {
			continue
		}
		for len(rt.vals) < len(sl.columns) {
			rt.vals = append(rt.vals, nil)
		}
		present := true
		for i, c := range sl.columns {
			var ok bool
			var err error
			rt.vals[i], ok, err = rowValuesInto(rt.vals[i], rt.column(b, c), r)
			if err != nil {
				return dst, err
			}
			if !ok || len(rt.vals[i]) == 0 {
				present = false
				break
			}
		}
		if !present {
			continue
		}
		rt.idx = rt.idx[:0]
		for range sl.columns {
			rt.idx = append(rt.idx, 0)
		}
		for {
			s := e.lookup(sl, rt, pending)
			if !slices.Contains(dst[start:], s) {
				dst = append(dst, s)
			}
			i := len(rt.idx) - 1
			for ; i >= 0; i-- {
				rt.idx[i]++
				if rt.idx[i] < len(rt.vals[i]) {
					break
				}
				rt.idx[i] = 0
			}
			if i < 0 {
				break
			}
		}
	}
	return dst, nil
}

// lookup finds or creates the slice of the current combination rt.idx.
func (e *Evaluator) lookup(sl *slicer, rt *router, pending map[string]*sliceAcc) *sliceAcc {
	rt.buf = rt.buf[:0]
	sl.each(rt, func(c SliceColumn) { rt.buf = appendKeyColumn(rt.buf, c) })
	if s, ok := e.slices[string(rt.buf)]; ok {
		return s
	}
	if s, ok := pending[string(rt.buf)]; ok {
		return s
	}
	key := make(SliceKey, 0, len(sl.columns)+len(sl.matches))
	sl.each(rt, func(c SliceColumn) { key = append(key, c) })
	s := &sliceAcc{key: key, acc: newAccumulator(e.lay)}
	pending[string(rt.buf)] = s
	return s
}

// each visits the pairs of the current combination in key order (sorted
// by column: the value matches and the key columns merged).
func (sl *slicer) each(rt *router, f func(SliceColumn)) {
	i, j := 0, 0
	for i < len(sl.matches) || j < len(sl.columns) {
		if j == len(sl.columns) || (i < len(sl.matches) && strings.Compare(sl.matches[i].Column, sl.columns[j]) < 0) {
			f(sl.matches[i])
			i++
			continue
		}
		f(SliceColumn{sl.columns[j], rt.vals[j][rt.idx[j]]})
		j++
	}
}

// appendKeyColumn appends one pair of a key's id (SliceKey.id).
func appendKeyColumn(b []byte, c SliceColumn) []byte {
	b = bincodec.AppendString(b, c.Column)
	b = bincodec.AppendUvarint(b, uint64(c.Value.Kind)) // one byte: the kinds are small
	switch c.Value.Kind {
	case batch.Int:
		return bincodec.AppendVarint(b, c.Value.Int)
	case batch.Float:
		return bincodec.AppendFloat(b, c.Value.Float)
	}
	return bincodec.AppendString(b, c.Value.Str)
}
