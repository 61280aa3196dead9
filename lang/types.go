package lang

import (
	"fmt"
	"strings"
)

// Kind is the basic kind of a type.
type Kind uint8

// The kinds.
const (
	Invalid  Kind = iota // the type of an expression that has an error
	Int                  // 64-bit integer (TFMD INT)
	Float                // floating point (TFMD FLOAT)
	String               // bytes, UTF-8 by convention (TFMD BYTES)
	Bool                 // the result of a comparison
	Category             // an integer id in [0, Card): a vocabulary, bucket or hash result
	List                 // a variable-length list of Elem, such as tokens
	Vector               // a fixed-length vector of Elem, such as PCA's output
)

var kindNames = [...]string{"invalid", "int", "float", "string", "bool", "category", "list", "vector"}

// String returns the kind's name as written in the language.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Type is the type of a feature or an expression. Types are small values
// and compare with ==.
type Type struct {
	Kind     Kind
	Optional bool  // the value may be missing; fill it before use
	Card     int64 // Category: the number of ids; 0 when known only after analysis
	Elem     Kind  // List, Vector: the element kind
	Len      int   // Vector: the length; 0 when known only after analysis
}

// Convenience types.
var (
	TInvalid = Type{}
	TInt     = Type{Kind: Int}
	TFloat   = Type{Kind: Float}
	TString  = Type{Kind: String}
	TBool    = Type{Kind: Bool}
)

// CategoryOf returns the type category(n).
func CategoryOf(n int64) Type { return Type{Kind: Category, Card: n} }

// ListOf returns the type list(elem).
func ListOf(elem Kind) Type { return Type{Kind: List, Elem: elem} }

// VectorOf returns the type vector(elem, n).
func VectorOf(elem Kind, n int) Type { return Type{Kind: Vector, Elem: elem, Len: n} }

// String formats t as the language writes it: "optional int",
// "category(1010)", "category(?)" (cardinality known after analysis),
// "list(string)", "vector(float, 2)".
func (t Type) String() string {
	var b strings.Builder
	if t.Optional {
		b.WriteString("optional ")
	}
	switch t.Kind {
	case Category:
		if t.Card > 0 {
			fmt.Fprintf(&b, "category(%d)", t.Card)
		} else {
			b.WriteString("category(?)")
		}
	case List:
		if t.Elem == Category {
			fmt.Fprintf(&b, "list(%s)", CategoryOf(t.Card))
		} else {
			fmt.Fprintf(&b, "list(%s)", t.Elem)
		}
	case Vector:
		if t.Len > 0 {
			fmt.Fprintf(&b, "vector(%s, %d)", t.Elem, t.Len)
		} else {
			fmt.Fprintf(&b, "vector(%s, ?)", t.Elem)
		}
	default:
		b.WriteString(t.Kind.String())
	}
	return b.String()
}

// Required returns t without Optional.
func (t Type) Required() Type {
	t.Optional = false
	return t
}

// IsNumeric reports whether t is an int or a float, optional or not.
func (t Type) IsNumeric() bool { return t.Kind == Int || t.Kind == Float }

// IsScalar reports whether t holds one value per example.
func (t Type) IsScalar() bool { return t.Kind != List && t.Kind != Vector && t.Kind != Invalid }

// KindSet is a set of kinds that a parameter accepts.
type KindSet uint16

// Set returns the set holding the given kinds.
func Set(kinds ...Kind) KindSet {
	var s KindSet
	for _, k := range kinds {
		s |= 1 << k
	}
	return s
}

// Common kind sets.
var (
	Numeric = Set(Int, Float)
	Scalars = Set(Int, Float, String, Bool)
)

// Has reports whether s holds k.
func (s KindSet) Has(k Kind) bool { return s&(1<<k) != 0 }

// String lists the set's kinds: "int or float".
func (s KindSet) String() string {
	var names []string
	for k := Int; k <= Vector; k++ {
		if s.Has(k) {
			names = append(names, k.String())
		}
	}
	switch len(names) {
	case 0:
		return "nothing"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
