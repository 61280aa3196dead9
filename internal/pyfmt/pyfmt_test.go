package pyfmt

import (
	"math"
	"testing"
)

// TestFloat checks repr(float) values as CPython 3 prints them.
func TestFloat(t *testing.T) {
	for x, want := range map[float64]string{
		0: "0.0", 1: "1.0", -2.5: "-2.5", 0.1: "0.1", 1e-4: "0.0001", 1e-5: "1e-05", 1.5e-7: "1.5e-07",
		123456789012345.0: "123456789012345.0", 1e16: "1e+16", 1.5e16: "1.5e+16", 1e100: "1e+100",
		0.30000000000000004: "0.30000000000000004",
		math.Inf(1):         "inf", math.Inf(-1): "-inf",
	} {
		if got := Float(x); got != want {
			t.Errorf("Float(%v) = %q, want %q", x, got, want)
		}
	}
	if got := Float(math.Copysign(0, -1)); got != "-0.0" {
		t.Errorf("Float(-0) = %q", got)
	}
	if got := Float(math.NaN()); got != "nan" {
		t.Errorf("Float(NaN) = %q", got)
	}
}
