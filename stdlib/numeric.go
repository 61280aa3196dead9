package stdlib

import (
	"github.com/tfxc/tfxc/lang"
)

// numericFuncs are the transforms of numbers.
func numericFuncs() []*lang.Func {
	return []*lang.Func{
		{
			Name: "fill",
			Doc:  "replaces a missing value with a constant, making an optional feature required",
			Params: []lang.Param{
				{Name: "x", Doc: "an optional int, float, string or bool", Kinds: lang.Scalars, Optional: true, Positional: true, Required: true},
				{Name: "value", Doc: "the value for missing examples, of x's type", Kinds: lang.Scalars, Const: true, Positional: true, Required: true},
			},
			Result: fillResult,
		},
		{
			// TFT scale_to_z_score: (x - mean) / sqrt(var) with the biased
			// (population) variance; where var == 0 the result is x - mean
			// (tensorflow_transform/mappers.py, scale_to_z_score).
			Name:     "z_score",
			Doc:      "standardises x to mean 0 and variance 1 over the training split (TFT scale_to_z_score)",
			Params:   []lang.Param{input(numericOrVector, "an int or float, or a vector of them"), elementwise},
			Analyzer: AnalyzerMeanVar,
			Result:   floatLike,
		},
		{
			// TFT scale_to_0_1: (x - min) / (max - min); where min >= max
			// (one distinct value, or no data) it is sigmoid(x) of the raw
			// value (mappers.py, _scale_by_min_max_internal; SEMANTICS.md 1.4).
			Name:     "scale_to_0_1",
			Doc:      "scales x linearly to [0, 1] by the training split's min and max (TFT scale_to_0_1)",
			Params:   []lang.Param{input(numericOrVector, "an int or float, or a vector of them"), elementwise},
			Analyzer: AnalyzerMinMax,
			Result:   floatLike,
		},
		{
			Name: "scale_by_min_max",
			Doc:  "scales x linearly to [output_min, output_max] by the training split's min and max (TFT scale_by_min_max)",
			Params: []lang.Param{
				input(numericOrVector, "an int or float, or a vector of them"),
				constFloat("output_min", "the lower end of the output range", false, false, nil, 0.0),
				constFloat("output_max", "the upper end of the output range", false, false, nil, 1.0),
				elementwise,
			},
			Analyzer: AnalyzerMinMax,
			Result: func(c *lang.Call) lang.Type {
				lo, hasLo := constFloatOf(c, "output_min")
				if !hasLo {
					lo = 0
				}
				hi, hasHi := constFloatOf(c, "output_max")
				if !hasHi {
					hi = 1
				}
				if lo >= hi {
					// TFT raises "output_min must be less than output_max".
					c.Errorf(lang.EOptionConflict, nil, "output_min must be less than output_max",
						"scale_by_min_max has output_min %g >= output_max %g", lo, hi)
					return lang.TInvalid
				}
				return floatLike(c)
			},
		},
		{
			Name:   "log1p",
			Doc:    "ln(1 + x), for counts and other skewed non-negative quantities",
			Params: []lang.Param{input(lang.Numeric, "an int or float")},
			Result: floatResult,
		},
		{
			Name: "clip",
			Doc:  "limits x to [min, max]",
			Params: []lang.Param{
				input(lang.Numeric, "an int or float"),
				constFloat("min", "the smallest value kept", false, true, nil, nil),
				constFloat("max", "the largest value kept", false, true, nil, nil),
			},
			Result: func(c *lang.Call) lang.Type {
				lo, _ := constFloatOf(c, "min")
				hi, _ := constFloatOf(c, "max")
				if lo > hi {
					c.Errorf(lang.EOptionConflict, nil, "swap them", "clip has min %g > max %g", lo, hi)
					return lang.TInvalid
				}
				x, _ := c.Arg("x")
				return x.Type
			},
		},
		{
			// TFT pca: the output_dim eigenvectors of the covariance matrix
			// with the largest eigenvalues; x projected on them
			// (tensorflow_transform/analyzers.py, pca).
			Name: "pca",
			Doc:  "projects the inputs on their principal components over the training split (TFT pca)",
			Params: []lang.Param{
				{Name: "x", Doc: "numbers, or one vector", Kinds: lang.Set(lang.Int, lang.Float, lang.Vector), Positional: true, Required: true, Variadic: true},
				constInt("components", "the number of components kept", false, true, lang.AtLeast(1), nil),
			},
			Analyzer: AnalyzerCovariance,
			Result:   pcaResult,
		},
	}
}

// numericOrVector is what the scalers take: numbers, or vectors of them.
var numericOrVector = lang.Set(lang.Int, lang.Float, lang.Vector)

// elementwise is the scalers' option to analyze each position of a vector
// on its own instead of pooling all its values (TFT's elementwise).
var elementwise = lang.Param{Name: "elementwise", Doc: "analyze each position of a vector on its own", Kinds: lang.Set(lang.Bool), Const: true, Default: false}

// floatLike is float for a number and vector(float, n) for a vector of n
// numbers: the scalers' results.
func floatLike(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	if x.Type.Kind != lang.Vector {
		return lang.TFloat
	}
	if x.Type.Elem != lang.Int && x.Type.Elem != lang.Float {
		c.Errorf(lang.EArgType, x.Expr, "scale numbers", "%s of a %s: the vector must hold numbers", c.Node.Fun.Name, x.Type)
		return lang.TInvalid
	}
	return lang.VectorOf(lang.Float, x.Type.Len)
}

func fillResult(c *lang.Call) lang.Type {
	x, _ := c.Arg("x")
	v, _ := c.Arg("value")
	want := x.Type.Kind
	got := v.Type.Kind
	if want != got && !(want == lang.Float && got == lang.Int) {
		c.Errorf(lang.EArgType, v.Expr, "the fill value has the feature's type",
			"fill value of type %s for %s", got, x.Type)
		return lang.TInvalid
	}
	return x.Type.Required()
}

func pcaResult(c *lang.Call) lang.Type {
	k, _ := constIntOf(c, "components")
	dims := 0
	for _, a := range c.Variadic {
		if a.Type.Kind == lang.Vector {
			if len(c.Variadic) > 1 {
				c.Errorf(lang.EArgType, a.Expr, "give pca either numbers or one vector", "pca takes one vector or several numbers, not both")
				return lang.TInvalid
			}
			if a.Type.Elem != lang.Float && a.Type.Elem != lang.Int {
				c.Errorf(lang.EArgType, a.Expr, "pca projects numbers: give it an int or float vector", "pca needs a numeric vector, not %s", a.Type)
				return lang.TInvalid
			}
			dims = a.Type.Len
			continue
		}
		dims++
	}
	if dims > 0 && int(k) > dims {
		c.Errorf(lang.EPCADims, nil, "ask for at most as many components as input dimensions",
			"pca asks for %d components of %d input dimensions", k, dims)
		return lang.TInvalid
	}
	return lang.VectorOf(lang.Float, int(k))
}
