package examplegen

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tfxc/tfxc/runtime/batch"
)

// The field numbers of tf.Example (tensorflow/core/example/example.proto
// and feature.proto).
const (
	exampleFeatures = 1 // Example.features: Features
	featuresFeature = 1 // Features.feature: map<string, Feature>
	mapKey          = 1 // a map entry's key
	mapValue        = 2 // a map entry's value
	featureBytes    = 1 // Feature.bytes_list (oneof kind)
	featureFloat    = 2 // Feature.float_list
	featureInt64    = 3 // Feature.int64_list
	listValue       = 1 // BytesList, FloatList, Int64List: repeated value
)

// wireDecoder decodes serialized tf.Examples straight from the protobuf
// wire format (protowire), without building the message: reflection-based
// unmarshalling of the map of features cost three quarters of the time of
// reading transformed examples. It gives what proto.Unmarshal followed by
// reading the features would: repeated occurrences of a message merge (the
// concatenation of their bytes), a later map entry of the same key replaces
// an earlier one, a oneof member replaces another, a field of an
// unexpected wire type is an unknown field, keys must be valid UTF-8
// (proto3 strings), and every feature is checked, read or not.
type wireDecoder struct {
	index map[string]int // column by name
	cols  []wireFeature  // per column: the feature of this record
	other wireFeature    // scratch for features no column reads
}

// wireFeature is a Feature as found: the kind (a field number, 0 for
// none) and the payloads of that kind's list, to be read in order.
type wireFeature struct {
	kind  protowire.Number
	parts [][]byte
}

func newWireDecoder(cols []Column) *wireDecoder {
	d := &wireDecoder{index: map[string]int{}, cols: make([]wireFeature, len(cols))}
	for i, c := range cols {
		d.index[c.Name] = i
	}
	return d
}

var errUTF8 = errors.New("a feature name is not valid UTF-8")

// parse reads a record's features into d.cols, checking all of it.
func (d *wireDecoder) parse(rec []byte) error {
	for i := range d.cols {
		d.cols[i] = wireFeature{parts: d.cols[i].parts[:0]}
	}
	return eachField(rec, func(num protowire.Number, typ protowire.Type, b []byte) error {
		if num != exampleFeatures || typ != protowire.BytesType {
			return nil
		}
		return eachField(b, func(num protowire.Number, typ protowire.Type, entry []byte) error {
			if num != featuresFeature || typ != protowire.BytesType {
				return nil
			}
			return d.entry(entry)
		})
	})
}

// entry reads one map entry: its key (the last one given) and its value
// (every occurrence, merged).
func (d *wireDecoder) entry(entry []byte) error {
	var key []byte
	err := eachField(entry, func(num protowire.Number, typ protowire.Type, b []byte) error {
		if num == mapKey && typ == protowire.BytesType {
			if !utf8.Valid(b) {
				return errUTF8 // every occurrence is checked, not only the last
			}
			key = b
		}
		return nil
	})
	if err != nil {
		return err
	}
	f := &d.other
	if i, ok := d.index[string(key)]; ok {
		f = &d.cols[i]
	}
	*f = wireFeature{parts: f.parts[:0]}
	return eachField(entry, func(num protowire.Number, typ protowire.Type, value []byte) error {
		if num != mapValue || typ != protowire.BytesType {
			return nil
		}
		return eachField(value, func(num protowire.Number, typ protowire.Type, list []byte) error {
			if num < featureBytes || num > featureInt64 || typ != protowire.BytesType {
				return nil
			}
			if num != f.kind {
				f.kind, f.parts = num, f.parts[:0]
			}
			if err := checkList(num, list); err != nil {
				return err
			}
			f.parts = append(f.parts, list)
			return nil
		})
	})
}

// checkList checks a list's values are well formed.
func checkList(kind protowire.Number, list []byte) error {
	return eachValue(kind, list, func(uint64, []byte) {})
}

// eachValue calls fn with each value of a list message: an int64 or the
// bits of a float32 as v, a byte string as b.
func eachValue(kind protowire.Number, list []byte, fn func(v uint64, b []byte)) error {
	return eachField(list, func(num protowire.Number, typ protowire.Type, b []byte) error {
		if num != listValue {
			return nil
		}
		switch {
		case kind == featureBytes && typ == protowire.BytesType:
			fn(0, b)
		case kind == featureInt64 && typ == protowire.VarintType:
			v, _ := protowire.ConsumeVarint(b)
			fn(v, nil)
		case kind == featureInt64 && typ == protowire.BytesType: // packed
			for len(b) > 0 {
				v, n := protowire.ConsumeVarint(b)
				if n < 0 {
					return protowire.ParseError(n)
				}
				fn(v, nil)
				b = b[n:]
			}
		case kind == featureFloat && typ == protowire.Fixed32Type:
			v, _ := protowire.ConsumeFixed32(b)
			fn(uint64(v), nil)
		case kind == featureFloat && typ == protowire.BytesType: // packed
			if len(b)%4 != 0 {
				return errors.New("a packed float list's length is not a multiple of 4")
			}
			for ; len(b) > 0; b = b[4:] {
				v, _ := protowire.ConsumeFixed32(b)
				fn(uint64(v), nil)
			}
		}
		return nil
	})
}

// eachField calls fn with each field of a message: its number, wire type
// and, for length-delimited fields, the payload, else the field's bytes
// after the tag.
func eachField(msg []byte, fn func(num protowire.Number, typ protowire.Type, b []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		if num > protowire.MaxValidNumber {
			return fmt.Errorf("field number %d is out of range", num)
		}
		msg = msg[n:]
		m := protowire.ConsumeFieldValue(num, typ, msg)
		if m < 0 {
			return protowire.ParseError(m)
		}
		b := msg[:m]
		if typ == protowire.BytesType {
			b, _ = protowire.ConsumeBytes(b)
		}
		if err := fn(num, typ, b); err != nil {
			return err
		}
		msg = msg[m:]
	}
	return nil
}

// decode appends rec as a row of the builder's batch. When the record is
// bad it returns why, leaving the row partly appended for the caller to
// take back.
func (d *wireDecoder) decode(bl *builder, rec []byte) (reason, column, detail string) {
	b := bl.batch() // the caller takes the row back from it when it is bad
	if err := d.parse(rec); err != nil {
		return ReasonRecord, "", fmt.Sprintf("not a tf.Example: %v", err)
	}
	for i, c := range bl.cols {
		col := b.Columns[i]
		f := d.cols[i]
		switch want := listOf(c.Kind); {
		case f.kind == 0:
			// Absent, or present without a kind: tfx_bsl example_coder
			// treats a feature with no kind as missing (null).
			col.AppendMissing()
			continue
		case f.kind != want:
			return ReasonKind, c.Name, fmt.Sprintf("a %s where the schema says %s", listName[f.kind], c.Kind)
		}
		for _, p := range f.parts {
			eachValue(f.kind, p, func(v uint64, s []byte) {
				switch f.kind {
				case featureInt64:
					col.Ints = append(col.Ints, int64(v))
				case featureFloat:
					col.Floats = append(col.Floats, math.Float32frombits(uint32(v)))
				default:
					col.Strings = append(col.Strings, bl.str(s))
				}
			})
		}
		// End the row after the values appended above.
		switch f.kind {
		case featureInt64:
			col.AppendInts()
		case featureFloat:
			col.AppendFloats()
		default:
			col.AppendStrings()
		}
	}
	return "", "", ""
}

// listOf is the Feature kind that holds values of a column's kind.
func listOf(k batch.Kind) protowire.Number {
	switch k {
	case batch.Int:
		return featureInt64
	case batch.Float:
		return featureFloat
	}
	return featureBytes
}

var listName = map[protowire.Number]string{featureBytes: "bytes_list", featureFloat: "float_list", featureInt64: "int64_list"}
