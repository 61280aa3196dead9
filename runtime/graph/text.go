package graph

import (
	"fmt"
	"strings"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// The string ops of the text transforms: tokenizing and n-grams.

// stringSplit is StringSplit (tensorflow/core/kernels/string_split_op.cc,
// the v1 op behind tf.compat.v1.string_split): each string of a rank-1
// input is split at every byte that occurs in the delimiter, or into single
// bytes when the delimiter is empty; with skip_empty, empty tokens are
// dropped. The outputs are the tokens as a sparse tensor: indices [n, 2]
// (row, position in row), values [n], and dense shape [rows, longest row].
func stringSplit(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	x, d := in[0], in[1]
	if x.DType != tfpb.DataType_DT_STRING || len(x.Shape) != 1 {
		return nil, fmt.Errorf("input must be a vector of strings, not %s%v", x.DType, x.Shape)
	}
	if d.DType != tfpb.DataType_DT_STRING || d.Len() != 1 {
		return nil, fmt.Errorf("delimiter must be a scalar string")
	}
	skipEmpty := true
	if a, ok := n.GetAttr()["skip_empty"]; ok {
		skipEmpty = a.GetB()
	}
	delim := d.Str[0]
	var idx []int64
	var vals []string
	longest := 0
	for row, s := range x.Str {
		tokens := splitBytes(s, delim)
		k := 0
		for _, t := range tokens {
			if skipEmpty && t == "" {
				continue
			}
			idx = append(idx, int64(row), int64(k))
			vals = append(vals, t)
			k++
		}
		longest = max(longest, k)
	}
	return []*Tensor{
		Int64s([]int{len(vals), 2}, idx),
		Strings([]int{len(vals)}, vals),
		Int64s([]int{2}, []int64{int64(len(x.Str)), int64(longest)}),
	}, nil
}

// splitBytes splits s at any byte of delim, or into bytes when delim is
// empty (TensorFlow's StringSplit works on bytes, not characters).
func splitBytes(s, delim string) []string {
	if delim == "" {
		out := make([]string, len(s))
		for i := range len(s) {
			out[i] = s[i : i+1]
		}
		return out
	}
	var out []string
	start := 0
	for i := range len(s) {
		if strings.IndexByte(delim, s[i]) >= 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// stringNGrams is StringNGrams (tensorflow/core/kernels/string_ngrams_op.cc,
// behind tf.strings.ngrams): for each row of a ragged tensor of strings
// (flat data and row splits) and each width in ngram_widths, in that order,
// the n-grams of the row joined by separator, optionally padded with
// left_pad and right_pad (pad_width -1 means width - 1). A row too short for
// any n-gram gives, with preserve_short_sequences, one n-gram of the whole
// (padded) row.
func stringNGrams(n *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	data, splitsT := in[0], in[1]
	if data.DType != tfpb.DataType_DT_STRING || len(data.Shape) != 1 {
		return nil, fmt.Errorf("data must be a vector of strings, not %s%v", data.DType, data.Shape)
	}
	splits, err := intsOf(splitsT)
	if err != nil {
		return nil, fmt.Errorf("data_splits: %w", err)
	}
	attr := n.GetAttr()
	sep := string(attr["separator"].GetS())
	widths := attr["ngram_widths"].GetList().GetI()
	leftPad, rightPad := string(attr["left_pad"].GetS()), string(attr["right_pad"].GetS())
	padWidth := attr["pad_width"].GetI()
	preserve := attr["preserve_short_sequences"].GetB()
	for _, w := range widths {
		if w <= 0 {
			return nil, fmt.Errorf("ngram width %d must be positive", w)
		}
	}
	if len(splits) > 0 && (splits[0] != 0 || splits[len(splits)-1] != int64(len(data.Str))) {
		return nil, fmt.Errorf("data_splits %v do not cover %d values", splits, len(data.Str))
	}
	var out []string
	outSplits := make([]int64, max(len(splits), 1))
	for r := 0; r+1 < len(splits); r++ {
		lo, hi := splits[r], splits[r+1]
		if lo > hi {
			return nil, fmt.Errorf("data_splits %v decrease", splits)
		}
		row := data.Str[lo:hi]
		before := len(out)
		for _, w := range widths {
			pad := padWidth
			if pad < 0 || pad >= w {
				pad = w - 1
			}
			count := int64(len(row)) + 2*pad - w + 1
			for j := range max(count, 0) {
				out = append(out, ngram(row, j-pad, w, leftPad, rightPad, sep))
			}
		}
		if preserve && len(out) == before && len(row) > 0 {
			// One n-gram of the row with the padding of the largest width.
			pad := padWidth
			if pad < 0 && len(widths) > 0 {
				pad = widths[len(widths)-1] - 1
			}
			pad = max(pad, 0)
			out = append(out, ngram(row, -pad, int64(len(row))+2*pad, leftPad, rightPad, sep))
		}
		outSplits[r+1] = int64(len(out))
	}
	ngrams := Strings([]int{len(out)}, out)
	sp := Int64s([]int{len(outSplits)}, outSplits)
	if splitsT.DType == tfpb.DataType_DT_INT32 {
		sp = castInts(sp, tfpb.DataType_DT_INT32)
	}
	return []*Tensor{ngrams, sp}, nil
}

// ngram joins the w tokens of row starting at start, with pads before
// position 0 and after the last token.
func ngram(row []string, start, w int64, leftPad, rightPad, sep string) string {
	var b strings.Builder
	for k := range w {
		if k > 0 {
			b.WriteString(sep)
		}
		switch i := start + k; {
		case i < 0:
			b.WriteString(leftPad)
		case i >= int64(len(row)):
			b.WriteString(rightPad)
		default:
			b.WriteString(row[i])
		}
	}
	return b.String()
}
