package schema

import (
	"errors"
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// FuzzParse checks that no input makes Parse panic, that every error is an
// *Error placed in the file, and that a schema that loads survives a round
// trip through prototext.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"feature { name: \"a\" type: INT presence { min_fraction: 1.0 } }",
		"feature: [{ name: 'a' }, < name: \"b\" >]; default_environment: \"SERVING\"",
		"feature { name: \"a\" domain: \"d\" } string_domain { name: \"d\" value: [\"x\", \"y\"] }",
		"feature { name: \"s\" struct_domain { feature { name: \"x\" unknown { a: [1, {b: 2}] } } } }",
		"annotation { extra_metadata { [type.googleapis.com/x.Y] { z: 1 } } }",
		"[ext.name] { a: 1 } 12: 3 feature { name: \"a\\\"\\n\" }",
		"tensor_representation_group { key: \"g\" value { tensor_representation { key: \"t\" value { dense_tensor { column_name: \"a\" } } } } }",
		"feature { name: \"a\" type: BYTEZ }",
		"feature { name: \"a\" value_count { min: - 1 max: 0x10 } float_domain { min: -inf max: nan } }",
		"{\"feature\": []}",
		"node { name: \"x\" op: \"Const\" }",
		"feature { name: \"a\"",
		"\x00\xff",
		"# only a comment",
	}
	if src, err := os.ReadFile(taxiSchema); err == nil {
		seeds = append(seeds, string(src))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, issues, err := Parse("fuzz.pbtxt", src)
		for _, i := range issues {
			if i.File != "fuzz.pbtxt" || i.Line < 1 || i.Col < 1 {
				t.Errorf("issue without a position: %+v", i)
			}
		}
		if err != nil {
			if s != nil {
				t.Errorf("Parse returned a schema with error %v", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.pbtxt" {
				t.Errorf("error %v (%T) is not an *Error of the file", err, err)
			}
			return
		}
		if s == nil || s.Proto == nil {
			t.Fatal("Parse returned neither a schema nor an error")
		}
		out, err := prototext.Marshal(s.Proto)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		s2, issues2, err := Parse("again.pbtxt", out)
		if err != nil {
			t.Fatalf("reparsing the marshalled schema: %v\n%s", err, out)
		}
		if len(s.Proto.GetFeature())+len(s.Proto.GetSparseFeature())+len(s.Proto.GetWeightedFeature()) > 0 && len(issues2) != 0 {
			t.Errorf("reparsing the marshalled schema gave issues %v", issues2)
		}
		if !proto.Equal(s.Proto, s2.Proto) && !hasNaN(out) {
			t.Errorf("round trip changed the schema:\n%s\n%s", out, prototext.Format(s2.Proto))
		}
	})
}

// hasNaN reports whether marshalled text holds a NaN, which proto.Equal
// never finds equal to itself.
func hasNaN(b []byte) bool {
	for i := 0; i+3 <= len(b); i++ {
		if string(b[i:i+3]) == "nan" {
			return true
		}
	}
	return false
}
