package graph

import (
	"fmt"

	tfpb "github.com/tfxc/tfxc/pb/tf"
)

// table is a static hash table: HashTableV2 filled once by
// LookupTableImportV2, then read by LookupTableFindV2.
type table struct {
	keyType, valueType tfpb.DataType
	strings            map[string]int64
	ints               map[int64]int64
}

func hashTable(n *tfpb.NodeDef, _ []*Tensor) ([]*Tensor, error) {
	t := &table{
		keyType:   n.GetAttr()["key_dtype"].GetType(),
		valueType: n.GetAttr()["value_dtype"].GetType(),
	}
	switch t.keyType {
	case tfpb.DataType_DT_STRING:
		t.strings = map[string]int64{}
	case tfpb.DataType_DT_INT64:
		t.ints = map[int64]int64{}
	default:
		return nil, fmt.Errorf("table keys of type %s", t.keyType)
	}
	if t.valueType != tfpb.DataType_DT_INT64 {
		return nil, fmt.Errorf("table values of type %s", t.valueType)
	}
	return []*Tensor{{DType: tfpb.DataType_DT_RESOURCE, table: t}}, nil
}

// lookupImport fills the table with keys and values; as TensorFlow's
// HashTable, it refuses to change a key's value once set.
func lookupImport(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	t, keys, values := in[0].table, in[1], in[2]
	if t == nil {
		return nil, fmt.Errorf("first input is not a table")
	}
	if keys.DType != t.keyType || values.DType != t.valueType || keys.Len() != values.Len() {
		return nil, fmt.Errorf("imports %d %s keys and %d %s values into a %s→%s table",
			keys.Len(), keys.DType, values.Len(), values.DType, t.keyType, t.valueType)
	}
	for i, v := range values.I64 {
		if t.strings != nil {
			if old, ok := t.strings[keys.Str[i]]; ok && old != v {
				return nil, fmt.Errorf("key %q imported twice", keys.Str[i])
			}
			t.strings[keys.Str[i]] = v
		} else {
			if old, ok := t.ints[keys.I64[i]]; ok && old != v {
				return nil, fmt.Errorf("key %d imported twice", keys.I64[i])
			}
			t.ints[keys.I64[i]] = v
		}
	}
	return nil, nil
}

// lookupFind maps each key to its value, or to the default.
func lookupFind(_ *tfpb.NodeDef, in []*Tensor) ([]*Tensor, error) {
	t, keys, def := in[0].table, in[1], in[2]
	if t == nil {
		return nil, fmt.Errorf("first input is not a table")
	}
	if keys.DType != t.keyType || def.DType != t.valueType || def.Len() != 1 {
		return nil, fmt.Errorf("looks up %s keys with a %s default in a %s→%s table", keys.DType, def.DType, t.keyType, t.valueType)
	}
	out := Int64s(keys.Shape, make([]int64, keys.Len()))
	for i := range out.I64 {
		var v int64
		var ok bool
		if t.strings != nil {
			v, ok = t.strings[keys.Str[i]]
		} else {
			v, ok = t.ints[keys.I64[i]]
		}
		if !ok {
			v = def.I64[0]
		}
		out.I64[i] = v
	}
	return []*Tensor{out}, nil
}
