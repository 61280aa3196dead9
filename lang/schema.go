package lang

// Schema is the checker's view of a TensorFlow Metadata schema: the
// features a pipeline may read, their types and domains.
type Schema struct {
	File     string // where it was read from; "" for a schema made from declarations
	Features []*SchemaFeature
}

// SchemaFeature is one feature of a schema.
type SchemaFeature struct {
	Name string
	Type Type // int, float or string; list(T) or vector(T, n) when not one value; Optional when presence < 1
	// Domain, when the schema gives one.
	IntDomain    *IntRange
	FloatDomain  *FloatRange
	StringDomain []string // nil when the schema gives no string domain
	// ServingAbsent is set when the feature is not in the SERVING environment
	// (TFMD not_in_environment, or in_environment without SERVING).
	ServingAbsent bool
	Range         Range // where the schema declares it
}

// IntRange is an inclusive range of integers; a nil bound is open.
type IntRange struct{ Min, Max *int64 }

// FloatRange is an inclusive range of floats; a nil bound is open.
type FloatRange struct{ Min, Max *float64 }

// Feature returns the named feature, or nil.
func (s *Schema) Feature(name string) *SchemaFeature {
	for _, f := range s.Features {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Names returns the feature names in schema order.
func (s *Schema) Names() []string {
	names := make([]string, len(s.Features))
	for i, f := range s.Features {
		names[i] = f.Name
	}
	return names
}
