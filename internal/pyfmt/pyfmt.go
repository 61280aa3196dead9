// Package pyfmt formats values as Python prints them, where tfxc must
// produce the strings TFT and TFMA produce (vocabulary entries of numeric
// features, slice names).
package pyfmt

import (
	"math"
	"strconv"
	"strings"
)

// Float formats x as Python's repr(float) does: the shortest digits that
// read back as x, in positional notation when the decimal exponent of
// those digits is in [-4, 16) ("0.0001", "1.5", "12.0"), else scientific
// with a sign and at least two exponent digits ("1e-05", "1.5e+16"); and
// "nan", "inf", "-inf", "-0.0".
func Float(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	if x == 0 {
		if math.Signbit(x) {
			return "-0.0"
		}
		return "0.0"
	}
	// The exponent of the shortest digits decides, as in CPython's
	// float_repr; Go writes at least two exponent digits, as Python does.
	e := strconv.FormatFloat(x, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
