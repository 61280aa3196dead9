package lang

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/schema"
)

// servingEnv is the TFDV environment of serving requests.
const servingEnv = "SERVING"

// LoadSchemaFile reads a text-format TensorFlow Metadata schema for the
// checker. Problems that stop it from loading are ESchemaRead or
// ESchemaSyntax errors; fields tfxc does not understand are
// WUnknownSchemaField warnings. It suits Config.LoadSchema.
func LoadSchemaFile(path string) (*Schema, Diagnostics) {
	s, issues, err := schema.Load(path)
	var diags Diagnostics
	for _, is := range issues {
		msg, hint := is.Msg, "check that this is the schema the pipeline means"
		if is.Path != "" { // a field, not the whole file
			msg, hint = is.Path+": "+msg, "tfxc ignores it; remove it or check its spelling"
		}
		diags = append(diags, schemaDiag(WUnknownSchemaFld, is.File, is.Line, is.Col, msg, hint))
	}
	if err != nil {
		var errs []error
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			errs = joined.Unwrap()
		} else {
			errs = []error{err}
		}
		for _, e := range errs {
			var se *schema.Error
			if !errors.As(e, &se) {
				diags = append(diags, schemaDiag(ESchemaSyntax, path, 0, 0, e.Error(), schemaFormatHint))
				continue
			}
			if se.Line == 0 {
				// Not a problem inside the file: it could not be read. The
				// checker places it at the schema declaration.
				d := schemaDiag(ESchemaRead, "", 0, 0, fmt.Sprintf("%s: %s", se.File, se.Msg),
					"the path is relative to the pipeline file; `tfxc check --schema FILE` overrides it")
				diags = append(diags, d)
				continue
			}
			diags = append(diags, schemaDiag(ESchemaSyntax, se.File, se.Line, se.Col, se.Msg, schemaFormatHint))
		}
		return nil, diags
	}
	return FromTFMD(s, &diags), diags
}

// schemaFormatHint is the hint of an invalid schema.
const schemaFormatHint = "a schema is a TensorFlow Metadata Schema in protobuf text format, as TFDV writes it"

func schemaDiag(code Code, file string, line, col int, msg, hint string) *Diagnostic {
	pos := Pos{Line: line, Col: col}
	if file != "" && line == 0 {
		pos = Pos{Line: 1, Col: 1}
	}
	return &Diagnostic{
		Code:     code,
		Severity: code.Info().Severity,
		Range:    Range{File: file, Start: pos, End: pos},
		Message:  msg,
		Hint:     hint,
	}
}

// FromTFMD converts a loaded schema to the checker's model. Types follow
// TFMD: INT, FLOAT and BYTES are int, float and string. A feature is one
// value per example when value_count has max 1 or shape has one element;
// min == max > 1 (or a larger shape) makes a vector, any other value_count
// a list; with neither, it is taken as one value that may be missing, as
// TFX's taxi example does. It is optional when presence.min_fraction is
// below 1 or value_count.min is 0. It is absent at serving when the
// schema's environments name SERVING and TFDV's environment rules keep the
// feature out of it. Features of a type tfxc cannot use are reported in
// diags and left out.
func FromTFMD(s *schema.Schema, diags *Diagnostics) *Schema {
	out := &Schema{File: s.File()}
	defaults := len(s.Proto.GetDefaultEnvironment()) > 0
	for _, f := range s.Proto.GetFeature() {
		pos := s.Pos(f)
		var t Type
		switch f.GetType() {
		case tfmd.FeatureType_INT:
			t.Kind = Int
		case tfmd.FeatureType_FLOAT:
			t.Kind = Float
		case tfmd.FeatureType_BYTES:
			t.Kind = String
		default:
			*diags = append(*diags, schemaDiag(WUnknownSchemaFld, pos.File, pos.Line, pos.Col,
				fmt.Sprintf("feature %s has type %s, which tfxc does not support; it is ignored", f.GetName(), f.GetType()),
				"tfxc reads features of type INT, FLOAT and BYTES"))
			continue
		}
		optional := f.GetPresence() == nil || f.GetPresence().GetMinFraction() < 1
		switch {
		case f.GetShape() != nil:
			n := int64(1)
			for _, d := range f.GetShape().GetDim() {
				n *= d.GetSize()
			}
			if n != 1 {
				t = VectorOf(t.Kind, int(n))
			}
		case f.GetValueCount() != nil:
			vc := f.GetValueCount()
			switch {
			case vc.Max != nil && vc.GetMax() == 1:
			case vc.Max != nil && vc.GetMin() == vc.GetMax() && vc.GetMax() > 1:
				t = VectorOf(t.Kind, int(vc.GetMax()))
			default:
				t = ListOf(t.Kind)
			}
			if vc.GetMin() == 0 {
				optional = true
			}
		default:
			optional = true
		}
		// A list that is missing has no values: it is a list, never optional
		// (TFT reads a variable-length feature as a sparse tensor).
		t.Optional = optional && t.Kind != List
		sf := &SchemaFeature{
			Name:          f.GetName(),
			Type:          t,
			ServingAbsent: servingAbsent(s, f, defaults),
			Range:         Range{File: pos.File, Start: Pos{Line: pos.Line, Col: pos.Col}, End: Pos{Line: pos.Line, Col: pos.Col}},
		}
		if d := s.IntDomain(f); d != nil && (d.Min != nil || d.Max != nil) {
			sf.IntDomain = &IntRange{Min: d.Min, Max: d.Max}
		}
		if d := s.FloatDomain(f); d != nil && (d.Min != nil || d.Max != nil) {
			r := &FloatRange{}
			if d.Min != nil {
				v := float64(d.GetMin())
				r.Min = &v
			}
			if d.Max != nil {
				v := float64(d.GetMax())
				r.Max = &v
			}
			sf.FloatDomain = r
		}
		if d := s.StringDomain(f); d != nil {
			sf.StringDomain = append([]string{}, d.GetValue()...)
		}
		out.Features = append(out.Features, sf)
	}
	return out
}

// servingAbsent reports whether a feature is marked absent at serving time.
// With default environments, TFDV's rules decide (in_environment, then
// not_in_environment, then default_environment). Without them TFDV would
// expect no feature at all in SERVING; a schema that never set up
// environments means nothing by that, so then only an explicit mark counts:
// not_in_environment SERVING, or in_environment lists that leave it out.
func servingAbsent(s *schema.Schema, f *tfmd.Feature, defaults bool) bool {
	if defaults {
		return !s.InEnvironment(f, servingEnv)
	}
	if slices.Contains(f.GetNotInEnvironment(), servingEnv) {
		return true
	}
	in := f.GetInEnvironment()
	return len(in) > 0 && !slices.Contains(in, servingEnv)
}
