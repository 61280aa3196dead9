package tfgraph

import (
	"fmt"

	tfpb "github.com/tfxc/tfxc/pb/tf"
	"github.com/tfxc/tfxc/stdlib"
)

// The text transforms. A list is a flat tensor of every example's values
// plus the tensor of their counts per example (val.lengths). TF.js has
// StringSplit, StringNGrams and Unique for strings, but its GatherV2,
// ScatterNd and SelectV2 take numbers only; the one op that moves strings
// to computed places is SparseToDense. So reordering and filtering strings
// is done by computing, with numbers, where each string goes, and then one
// SparseToDense (with validate_indices off: the places are a permutation,
// not sorted) puts them there.

const (
	i32 = tfpb.DataType_DT_INT32
	i64 = tfpb.DataType_DT_INT64
	f32 = tfpb.DataType_DT_FLOAT
	str = tfpb.DataType_DT_STRING
)

// shapeOf is Shape(t) as int64.
func (l *lowerer) shapeOf(scope, t string, dt tfpb.DataType, outType tfpb.DataType) string {
	return l.b.op(scope+"/shape", "Shape", map[string]*tfpb.AttrValue{"T": typeAttr(dt), "out_type": typeAttr(outType)}, t)
}

// scalar reshapes a one-element vector to a scalar.
func (l *lowerer) scalar(scope, t string, dt tfpb.DataType) string {
	return l.reshape(scope+"/scalar", t, dt, []int32{})
}

func (l *lowerer) reshape(scope, t string, dt tfpb.DataType, shape []int32) string {
	return l.b.op(scope, "Reshape", map[string]*tfpb.AttrValue{"T": typeAttr(dt), "Tshape": typeAttr(i32)},
		t, l.b.value(scope+"/to", shape))
}

// count is the number of elements of a vector, as an int64 scalar.
func (l *lowerer) count(scope, t string, dt tfpb.DataType) string {
	return l.scalar(scope+"/count", l.shapeOf(scope+"/count", t, dt, i64), i64)
}

// gather is GatherV2(params, indices, axis 0) of numbers.
func (l *lowerer) gather(scope, params string, dt tfpb.DataType, indices string) string {
	return l.b.op(scope, "GatherV2", map[string]*tfpb.AttrValue{
		"Tparams": typeAttr(dt), "Tindices": typeAttr(i64), "Taxis": typeAttr(i32), "batch_dims": intAttr(0)},
		params, indices, l.b.value(scope+"/axis", int32(0)))
}

// cumsum is Cumsum along axis 0.
func (l *lowerer) cumsum(scope, x string, dt tfpb.DataType, exclusive bool) string {
	return l.b.op(scope, "Cumsum", map[string]*tfpb.AttrValue{
		"T": typeAttr(dt), "Tidx": typeAttr(i32), "exclusive": boolAttr(exclusive), "reverse": boolAttr(false)},
		x, l.b.value(scope+"/axis", int32(0)))
}

// rangeTo is Range(0, n, 1) for an int64 scalar n.
func (l *lowerer) rangeTo(scope, n string) string {
	return l.b.op(scope, "Range", map[string]*tfpb.AttrValue{"Tidx": typeAttr(i64)},
		l.b.value(scope+"/start", int64(0)), n, l.b.value(scope+"/delta", int64(1)))
}

func (l *lowerer) castTo(scope, x string, from, to tfpb.DataType) string {
	return l.b.op(scope, "Cast", map[string]*tfpb.AttrValue{
		"SrcT": typeAttr(from), "DstT": typeAttr(to), "Truncate": boolAttr(false)}, x)
}

func (l *lowerer) binop(scope, op string, dt tfpb.DataType, a, b string) string {
	return l.b.op(scope, op, tAttr(dt), a, b)
}

func (l *lowerer) concat(scope string, dt tfpb.DataType, parts ...string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return l.b.op(scope, "ConcatV2", map[string]*tfpb.AttrValue{
		"T": typeAttr(dt), "N": intAttr(int64(len(parts))), "Tidx": typeAttr(i32)},
		append(parts, l.b.value(scope+"/axis", int32(0)))...)
}

// rows returns, for a list of lengths per example, the example of each
// value (int64 [values]) and the end of each example's values (int64
// [examples]): UpperBound(ends, position) counts the examples that end at
// or before a position, which is the position's example.
func (l *lowerer) rows(scope string, x val) (rowIDs, ends string) {
	ends = l.cumsum(scope+"/ends", x.lengths, i64, false)
	pos := l.rangeTo(scope+"/positions", l.count(scope+"/values", x.t, x.dt))
	ub := l.b.op(scope+"/row_ids", "UpperBound", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "out_type": typeAttr(i64)},
		l.reshape(scope+"/ends_row", ends, i64, []int32{1, -1}), l.reshape(scope+"/positions_row", pos, i64, []int32{1, -1}))
	return l.reshape(scope+"/row_ids_flat", ub, i64, []int32{-1}), ends
}

// tokenize lowers a string split as TFT's tests tokenize (tf.compat.v1
// .string_split: the StringSplit op, which splits at every character of
// the delimiter, or into bytes when it is empty, and skips empty tokens).
// The counts per example are Bincount of the tokens' row indices, so
// examples without tokens count 0.
func (l *lowerer) tokenize(scope string, x val, sep string) (val, error) {
	if x.dt != str || x.lengths != "" || x.n > 0 {
		return val{}, fmt.Errorf("tokenize needs one string per example")
	}
	if x.fill != "" {
		return val{}, fmt.Errorf("tokenize of a filled string cannot be lowered: TF.js cannot select between strings")
	}
	split := l.b.op(scope+"/split", "StringSplit", map[string]*tfpb.AttrValue{"skip_empty": boolAttr(true)},
		x.t, l.b.value(scope+"/sep", sep))
	rowIDs := l.b.op(scope+"/token_rows", "GatherV2", map[string]*tfpb.AttrValue{
		"Tparams": typeAttr(i64), "Tindices": typeAttr(i32), "Taxis": typeAttr(i32), "batch_dims": intAttr(0)},
		split+":0", l.b.value(scope+"/row_column", int32(0)), l.b.value(scope+"/columns", int32(1)))
	examples := l.scalar(scope+"/examples", l.shapeOf(scope+"/examples", x.t, str, i32), i32)
	counts := l.b.op(scope+"/lengths", "Bincount", tAttr(i64),
		l.castTo(scope+"/token_rows_int32", rowIDs, i64, i32), examples, l.b.value(scope+"/unweighted", []int64{}))
	return val{t: l.b.op(scope+"/tokens", "Identity", tAttr(str), split+":1"), dt: str, lengths: counts}, nil
}

// ngrams lowers TFT's ngrams (mappers.py ngrams; SEMANTICS.md 1.8): for
// each token position of an example, in order, the n-grams starting there
// for n = lo..hi that stay inside the example, joined by sep.
//
// StringNGrams gives one width's n-grams of every example in start order;
// TFT's order interleaves widths by start. Think of a grid of (token t,
// width lo+k): cell (t, k) holds an n-gram when at least lo+k tokens of t's
// example start at t, and TFT's order is the grid's row-major order of
// those cells. The n-grams of width lo+k are, in order, the cells of column
// k, so each goes to the exclusive cumulative count of cells at its place.
func (l *lowerer) ngrams(scope string, x val, lo, hi int64, sep string) (val, error) {
	if x.dt != str || x.lengths == "" {
		return val{}, fmt.Errorf("ngrams needs a list of strings")
	}
	splits := l.concat(scope+"/splits", i64, l.b.value(scope+"/zero_split", []int64{0}), l.cumsum(scope+"/ends", x.lengths, i64, false))
	grams := func(w int64) string {
		return l.b.op(fmt.Sprintf("%s/ngrams_%d", scope, w), "StringNGrams", map[string]*tfpb.AttrValue{
			"separator": {Value: &tfpb.AttrValue_S{S: []byte(sep)}}, "ngram_widths": intListAttr(w),
			"left_pad": {Value: &tfpb.AttrValue_S{S: nil}}, "right_pad": {Value: &tfpb.AttrValue_S{S: nil}},
			"pad_width": intAttr(0), "preserve_short_sequences": boolAttr(false), "Tsplits": typeAttr(i64)},
			x.t, splits)
	}
	// Per example: sum over widths of max(length - n + 1, 0).
	var lengths string
	for w := lo; w <= hi; w++ {
		c := l.binop(fmt.Sprintf("%s/count_%d", scope, w), "Maximum", i64,
			l.binop(fmt.Sprintf("%s/starts_%d", scope, w), "Sub", i64, x.lengths, l.b.value(fmt.Sprintf("%s/minus_%d", scope, w), w-1)),
			l.b.value(scope+"/none", int64(0)))
		if lengths == "" {
			lengths = c
		} else {
			lengths = l.binop(scope+"/lengths", "AddV2", i64, lengths, c)
		}
	}
	if lo == hi {
		return val{t: grams(lo) + ":0", dt: str, lengths: lengths}, nil
	}
	rowIDs, ends := l.rows(scope+"/rows", x)
	pos := l.rangeTo(scope+"/positions", l.count(scope+"/tokens", x.t, str))
	remaining := l.binop(scope+"/remaining", "Sub", i64, l.gather(scope+"/row_end", ends, i64, rowIDs), pos)
	var widths []int64
	for w := lo; w <= hi; w++ {
		widths = append(widths, w)
	}
	col := l.b.op(scope+"/remaining_column", "ExpandDims", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "Tdim": typeAttr(i32)},
		remaining, l.b.value(scope+"/last_axis", int32(-1)))
	cells := l.binop(scope+"/cells", "GreaterEqual", i64, col, l.b.value(scope+"/widths", widths))
	flat := l.reshape(scope+"/cells_flat", l.castTo(scope+"/cells_int", cells, tfpb.DataType_DT_BOOL, i64), i64, []int32{-1})
	place := l.cumsum(scope+"/place", flat, i64, true)
	nw := l.b.value(scope+"/num_widths", int64(len(widths)))
	var strs, dests []string
	for k, w := range widths {
		at := fmt.Sprintf("%s/width_%d", scope, w)
		starts := l.b.op(at+"/starts", "Where", map[string]*tfpb.AttrValue{"T": typeAttr(tfpb.DataType_DT_BOOL)},
			l.binop(at+"/fits", "GreaterEqual", i64, remaining, l.b.value(at+"/width", w)))
		cell := l.binop(at+"/cell", "AddV2", i64,
			l.binop(at+"/cell_row", "Mul", i64, l.reshape(at+"/starts_flat", starts, i64, []int32{-1}), nw),
			l.b.value(at+"/column", int64(k)))
		strs = append(strs, grams(w)+":0")
		dests = append(dests, l.gather(at+"/dest", place, i64, cell))
	}
	all := l.concat(scope+"/all", str, strs...)
	dest := l.concat(scope+"/dest", i64, dests...)
	return val{t: l.permute(scope, all, dest), dt: str, lengths: lengths}, nil
}

// permute puts strings[i] at dest[i], dest being a permutation.
func (l *lowerer) permute(scope, strings, dest string) string {
	return l.b.op(scope+"/ordered", "SparseToDense", map[string]*tfpb.AttrValue{
		"T": typeAttr(str), "Tindices": typeAttr(i64), "validate_indices": boolAttr(false)},
		dest, l.shapeOf(scope+"/ordered", strings, str, i64), strings, l.b.value(scope+"/no_string", ""))
}

// bagOfWords lowers TFT's bag_of_words after ngrams: per example, the
// distinct n-grams in order of first occurrence (tf.unique per row;
// SEMANTICS.md 1.8). Unique numbers the distinct strings of the batch; a
// stable descending TopKV2 of the negated numbers sorts the values by
// (number, position), so a value is the first of its example when the one
// sorted before it has another number or another example. The first ones
// keep their order and go first; the rest go after and are sliced off.
func (l *lowerer) bagOfWords(scope string, x val) val {
	rowIDs, _ := l.rows(scope+"/rows", x)
	u := l.b.op(scope+"/unique", "Unique", map[string]*tfpb.AttrValue{"T": typeAttr(str), "out_idx": typeAttr(i64)}, x.t)
	ids := u + ":1"
	n := l.count(scope+"/values", x.t, str)
	k := l.castTo(scope+"/k", n, i64, i32)
	sorted := l.b.op(scope+"/sort", "TopKV2", map[string]*tfpb.AttrValue{
		"T": typeAttr(i64), "sorted": boolAttr(true), "Tk": typeAttr(i32), "index_type": typeAttr(i64)},
		l.b.op(scope+"/negated", "Neg", tAttr(i64), ids), k)
	perm := sorted + ":1"
	sid := l.gather(scope+"/sorted_ids", ids, i64, perm)
	srow := l.gather(scope+"/sorted_rows", rowIDs, i64, perm)
	j := l.rangeTo(scope+"/sorted_positions", n)
	zero := l.b.value(scope+"/zero", int64(0))
	prev := l.binop(scope+"/previous", "Maximum", i64,
		l.binop(scope+"/minus_one", "Sub", i64, j, l.b.value(scope+"/one", int64(1))), zero)
	neq := map[string]*tfpb.AttrValue{"T": typeAttr(i64), "incompatible_shape_error": boolAttr(true)}
	first := l.b.op(scope+"/first", "LogicalOr", nil,
		l.b.op(scope+"/new_id", "NotEqual", neq, sid, l.gather(scope+"/previous_id", sid, i64, prev)),
		l.b.op(scope+"/new_row", "NotEqual", neq, srow, l.gather(scope+"/previous_row", srow, i64, prev)))
	first = l.b.op(scope+"/first_or_start", "LogicalOr", nil, first,
		l.b.op(scope+"/start", "Equal", neq, j, zero))
	lastAxis := l.b.value(scope+"/last_axis", int32(-1))
	keep := l.b.op(scope+"/keep", "ScatterNd", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "Tindices": typeAttr(i64)},
		l.b.op(scope+"/perm_column", "ExpandDims", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "Tdim": typeAttr(i32)},
			perm, lastAxis),
		l.castTo(scope+"/first_int", first, tfpb.DataType_DT_BOOL, i64),
		l.shapeOf(scope+"/keep", x.t, str, i64))
	kept := l.b.op(scope+"/kept", "Sum", map[string]*tfpb.AttrValue{
		"T": typeAttr(i64), "Tidx": typeAttr(i32), "keep_dims": boolAttr(true)}, keep, l.b.value(scope+"/axis", int32(0)))
	dropped := l.binop(scope+"/dropped", "Sub", i64, l.b.value(scope+"/one_each", int64(1)), keep)
	dest := l.b.op(scope+"/dest", "SelectV2", tAttr(i64), l.castTo(scope+"/keep_bool", keep, i64, tfpb.DataType_DT_BOOL),
		l.cumsum(scope+"/kept_before", keep, i64, true),
		l.binop(scope+"/after_kept", "AddV2", i64, kept, l.cumsum(scope+"/dropped_before", dropped, i64, true)))
	ordered := l.permute(scope, x.t, dest)
	out := l.b.op(scope+"/bag", "Slice", map[string]*tfpb.AttrValue{"T": typeAttr(str), "Index": typeAttr(i64)},
		ordered, l.b.value(scope+"/begin", []int64{0}), kept)
	examples := l.shapeOf(scope+"/examples", x.lengths, i64, i64)
	lengths := l.b.op(scope+"/lengths", "ScatterNd", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "Tindices": typeAttr(i64)},
		l.b.op(scope+"/row_column", "ExpandDims", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "Tdim": typeAttr(i32)},
			rowIDs, lastAxis),
		keep, examples)
	return val{t: out, dt: str, lengths: lengths}
}

// tfidf lowers TFT's tfidf (mappers.py tfidf, _to_term_frequency,
// _to_tfidf; SEMANTICS.md 1.8) to a dense vector per example: position i
// holds the tf-idf weight of id i, 0 where the example lacks it. Ids are
// wrapped into [0, size) first (to_vocab_range), so the vocabulary's -1
// counts as size-1. The vector has width positions (at least size); those
// past size stay 0. tf = count / example length, accumulated by ScatterNd,
// which adds repeated indices; idf comes from the doc_freq analyzer.
func (l *lowerer) tfidf(scope string, x val, size, width string, smooth bool) val {
	wrapped := l.binop(scope+"/wrapped", "FloorMod", i64, x.t, size)
	rowIDs, _ := l.rows(scope+"/rows", x)
	length := l.castTo(scope+"/length_float", l.gather(scope+"/length", x.lengths, i64, rowIDs), i64, f32)
	share := l.binop(scope+"/share", "RealDiv", f32, l.b.value(scope+"/one", float32(1)), length)
	at := l.b.op(scope+"/at", "Pack", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "N": intAttr(2), "axis": intAttr(1)}, rowIDs, wrapped)
	examples := l.count(scope+"/examples", x.lengths, i64)
	shape := l.b.op(scope+"/dense_shape", "Pack", map[string]*tfpb.AttrValue{"T": typeAttr(i64), "N": intAttr(2), "axis": intAttr(0)}, examples, width)
	tf := l.b.op(scope+"/tf", "ScatterNd", map[string]*tfpb.AttrValue{"T": typeAttr(f32), "Tindices": typeAttr(i64)}, at, share, shape)
	a, _ := l.analyzer(scope, "tfidf", stdlib.AnalyzerDocFreq, val{t: wrapped, dt: i64}, map[string]any{"smooth": smooth})
	a.Lengths, a.VocabSize = x.lengths, width
	idf := a.result(l, "idf", f32, -1)
	return val{t: l.binop(scope+"/tfidf", "Mul", f32, tf, idf), dt: f32}
}

func intListAttr(v ...int64) *tfpb.AttrValue {
	return &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{I: v}}}
}
