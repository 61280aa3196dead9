// Package analyze implements TensorFlow Transform's full-pass analyzers in
// plain Go, as mergeable accumulators: each one is fed batches of values
// (Add…), merged with other accumulators of the same kind (Merge), and asked
// for its result once every shard has been merged (Result, Boundaries, …).
// Beam's CombineFns wrap them; the package itself knows nothing of Beam.
//
// Every accumulator holds memory proportional to the number of distinct
// values, to the sketch size, or to the feature shape, never to the number of
// rows. The semantics are TFT's, as restated in the team's shared
// conformance/SEMANTICS.md, section 1 (cited below as "SEMANTICS 1.x").
package analyze

import (
	"fmt"
	"math"
	"strings"
)

// DType is the element type of an analyzer's input or output, named as
// TensorFlow names it.
type DType int

// The dtypes analyzers accept or produce.
const (
	Invalid DType = iota
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Float16
	Float32
	Float64
	String
)

var dtypeNames = [...]string{
	Invalid: "invalid",
	Int8:    "int8",
	Int16:   "int16",
	Int32:   "int32",
	Int64:   "int64",
	Uint8:   "uint8",
	Uint16:  "uint16",
	Uint32:  "uint32",
	Uint64:  "uint64",
	Float16: "float16",
	Float32: "float32",
	Float64: "float64",
	String:  "string",
}

// String returns the TensorFlow name of the dtype ("int64", "float32", …).
func (d DType) String() string {
	if d < 0 || int(d) >= len(dtypeNames) {
		return fmt.Sprintf("DType(%d)", int(d))
	}
	return dtypeNames[d]
}

// ParseDType accepts a TensorFlow or NumPy dtype name, with or without a
// "tf." / "np." / "tf.dtypes." prefix; "float" means float32, "double"
// float64, "bytes" string.
func ParseDType(s string) (DType, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"tf.dtypes.", "tf.", "np.", "numpy."} {
		n = strings.TrimPrefix(n, p)
	}
	switch n {
	case "float", "single":
		return Float32, nil
	case "double":
		return Float64, nil
	case "half":
		return Float16, nil
	case "bytes", "str", "object":
		return String, nil
	}
	for i, name := range dtypeNames {
		if i != int(Invalid) && name == n {
			return DType(i), nil
		}
	}
	return Invalid, fmt.Errorf("unknown dtype %q", s)
}

// IsFloat reports whether d is a floating-point dtype.
func (d DType) IsFloat() bool { return d == Float16 || d == Float32 || d == Float64 }

// IsInteger reports whether d is a signed or unsigned integer dtype.
func (d DType) IsInteger() bool { return d >= Int8 && d <= Uint64 }

// IsNumeric reports whether d is an integer or floating-point dtype.
func (d DType) IsNumeric() bool { return d.IsInteger() || d.IsFloat() }

// MaxInt is the largest value of an integer dtype (uint64 saturates at the
// int64 maximum, the largest value this package represents).
func (d DType) MaxInt() int64 {
	switch d {
	case Int8:
		return math.MaxInt8
	case Int16:
		return math.MaxInt16
	case Int32:
		return math.MaxInt32
	case Uint8:
		return math.MaxUint8
	case Uint16:
		return math.MaxUint16
	case Uint32:
		return math.MaxUint32
	}
	return math.MaxInt64
}

// MinInt is the smallest value of an integer dtype.
func (d DType) MinInt() int64 {
	switch d {
	case Int8:
		return math.MinInt8
	case Int16:
		return math.MinInt16
	case Int32:
		return math.MinInt32
	case Uint8, Uint16, Uint32, Uint64:
		return 0
	}
	return math.MinInt64
}

// SumDType is the dtype of tft.sum's result for input dtype d
// (TFT analyzers.py _SUM_OUTPUT_DTYPE_MAP; SEMANTICS 1.2): signed integers
// sum to int64, unsigned to uint64, float16 to float32, float32/64 keep
// their type.
func (d DType) SumDType() DType {
	switch {
	case d >= Int8 && d <= Int64:
		return Int64
	case d >= Uint8 && d <= Uint64:
		return Uint64
	case d == Float16:
		return Float32
	}
	return d
}

// MeanDType is the dtype tft.mean and tft.var compute in and return for input
// dtype d (TFT analyzers.py _FLOAT_OUTPUT_DTYPE_MAP; SEMANTICS 1.2): every
// integer type maps to float32, floats keep their type.
func (d DType) MeanDType() DType {
	if d.IsFloat() {
		return d
	}
	return Float32
}

// RoundFloat rounds x to the precision of a float dtype (float32 or float16;
// float64 and non-float dtypes return x unchanged).
func (d DType) RoundFloat(x float64) float64 {
	switch d {
	case Float32:
		return float64(float32(x))
	case Float16:
		return roundFloat16(x)
	}
	return x
}

// WrapInt converts x to an integer dtype as a two's-complement cast does
// (keeping the low bits), the way tf.cast narrows integers.
func (d DType) WrapInt(x int64) int64 {
	switch d {
	case Int8:
		return int64(int8(x))
	case Int16:
		return int64(int16(x))
	case Int32:
		return int64(int32(x))
	case Uint8:
		return int64(uint8(x))
	case Uint16:
		return int64(uint16(x))
	case Uint32:
		return int64(uint32(x))
	}
	return x
}

// roundFloat16 rounds x to the nearest IEEE half-precision value (ties to
// even), returning it as a float64.
func roundFloat16(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	ax := math.Abs(x)
	// 65520 is halfway between the largest half (65504) and the next
	// power of two; from there on the value rounds to infinity.
	if ax >= 65520 {
		return math.Copysign(math.Inf(1), x)
	}
	var quantum float64
	if ax < 0x1p-14 { // subnormal halves are multiples of 2^-24
		quantum = 0x1p-24
	} else {
		_, exp := math.Frexp(ax) // ax = f·2^exp, f in [0.5, 1)
		quantum = math.Ldexp(1, exp-1-10)
	}
	return math.RoundToEven(x/quantum) * quantum
}
