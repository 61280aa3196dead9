package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/tfxc/tfxc/pb/tfmd"
	"github.com/tfxc/tfxc/runtime/batch"
	tfdv "github.com/tfxc/tfxc/runtime/validate"
)

// The runners of TFDV cases (family "validation"), through
// runtime/validate. Statistics, schemas and anomaly infos come as protobuf
// text (`*_pbtxt`); examples as rows. Expected protos are compared as
// protos (diff_regions ignored), the rest key by key.

// validationRunner adapts a function computing a case's results to a
// Runner; got holds one entry per expected key it can check.
func validationRunner(compute func(c *Case) (map[string]any, error)) Runner {
	return func(c *Case) Outcome {
		got, err := compute(c)
		if err != nil {
			return checkError(c, err)
		}
		if e, ok := c.Expected["error"]; ok && e != nil && e != false {
			return Failed("expected an error (%v), got none", e)
		}
		if len(c.Expected) == 0 {
			return Failed("the case expects nothing")
		}
		for _, k := range sortedKeys(c.Expected) {
			switch k {
			case "order", "note", "notes":
				continue
			}
			gv, ok := got[k]
			if !ok {
				return Failed("%s: not computed by this runner", k)
			}
			if check, ok := gv.(func(exp any) error); ok {
				if err := check(c.Expected[k]); err != nil {
					return Failed("%s: %v", k, err)
				}
				continue
			}
			if err := compareValue(k, c.Expected[k], gv, c.Tolerance); err != nil {
				return Failed("%v", err)
			}
		}
		return Passed()
	}
}

// pbtxtInput parses input[key] as protobuf text into m; ok is false when
// the input lacks it.
func pbtxtInput(c *Case, key string, m proto.Message) (bool, error) {
	v, present := c.Input[key]
	if !present || v == nil {
		return false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return true, fmt.Errorf("input.%s must be a string", key)
	}
	if err := prototext.Unmarshal([]byte(s), m); err != nil {
		return true, fmt.Errorf("input.%s: %v", key, err)
	}
	return true, nil
}

// statisticsInput reads a statistics list from input[key]: a
// DatasetFeatureStatisticsList, or a single DatasetFeatureStatistics as
// some upstream C++ tests write it. Without it, statistics are computed
// from rowsKey when the case has those rows.
func statisticsInput(c *Case, key, rowsKey string, schema *tfmd.Schema) (*tfmd.DatasetFeatureStatisticsList, error) {
	list := &tfmd.DatasetFeatureStatisticsList{}
	ok, err := pbtxtInput(c, key, list)
	if err != nil {
		one := &tfmd.DatasetFeatureStatistics{}
		if ok2, err2 := pbtxtInput(c, key, one); ok2 && err2 == nil {
			return &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{one}}, nil
		}
		return nil, err
	}
	if ok {
		return list, nil
	}
	if _, has := c.Input[rowsKey]; !has {
		return nil, nil
	}
	b, err := rowsBatch(c, rowsKey, schema)
	if err != nil {
		return nil, err
	}
	ds, err := tfdv.BatchStatistics(b, nil)
	if err != nil {
		return nil, err
	}
	return &tfmd.DatasetFeatureStatisticsList{Datasets: []*tfmd.DatasetFeatureStatistics{ds}}, nil
}

// schemaInput reads input.schema_pbtxt.
func schemaInput(c *Case) (*tfmd.Schema, error) {
	s := &tfmd.Schema{}
	return s, requiredPbtxt(c, "schema_pbtxt", s)
}

// requiredPbtxt reads input[key], which must be there, into m.
func requiredPbtxt(c *Case, key string, m proto.Message) error {
	ok, err := pbtxtInput(c, key, m)
	if err == nil && !ok {
		err = fmt.Errorf("input.%s is missing", key)
	}
	return err
}

// rowsBatch turns input[key] rows into a batch, one column per feature in
// order of first appearance. A feature's kind is read from its values:
// strings are BYTES, numbers written with a fraction or exponent (or the
// special-float strings) FLOAT, other numbers INT; a feature with only
// empty lists takes its kind from the schema (INT without one).
func rowsBatch(c *Case, key string, schema *tfmd.Schema) (*batch.Batch, error) {
	rows, err := asRows(key, c.Input[key])
	if err != nil {
		return nil, err
	}
	var names []string
	kinds := map[string]batch.Kind{}
	for _, r := range rows {
		for _, name := range sortedKeys(r) {
			if _, seen := kinds[name]; !seen {
				names = append(names, name)
				kinds[name] = 0
			}
			for _, v := range flatten(r[name]) {
				k := batch.Int
				switch x := v.(type) {
				case string:
					k = batch.Bytes
					if _, special := specialFloat(x); special {
						k = batch.Float
					}
				case json.Number:
					if strings.ContainsAny(string(x), ".eE") {
						k = batch.Float
					}
				case bool:
				default:
					return nil, fmt.Errorf("input.%s: feature %s: unsupported value %v", key, name, v)
				}
				kinds[name] = max(kinds[name], k)
			}
		}
	}
	b := &batch.Batch{}
	for _, name := range names {
		k := kinds[name]
		if k == 0 {
			k = batch.Int
			for _, f := range schema.GetFeature() {
				if f.GetName() == name {
					switch f.GetType() {
					case tfmd.FeatureType_FLOAT:
						k = batch.Float
					case tfmd.FeatureType_BYTES:
						k = batch.Bytes
					}
				}
			}
		}
		col := batch.NewColumn(name, k)
		for i, r := range rows {
			v, present := r[name]
			if !present || v == nil {
				col.AppendMissing()
				continue
			}
			leaves := flatten(v)
			switch k {
			case batch.Bytes:
				ss := make([]string, len(leaves))
				for j, x := range leaves {
					s, isStr := x.(string)
					if !isStr {
						return nil, fmt.Errorf("input.%s[%d]: feature %s mixes strings and numbers", key, i, name)
					}
					ss[j] = s
				}
				col.AppendStrings(ss...)
			case batch.Float:
				fs := make([]float32, len(leaves))
				for j, x := range leaves {
					f, err := toFloat(x)
					if err != nil {
						return nil, fmt.Errorf("input.%s[%d]: feature %s: %v", key, i, name, err)
					}
					fs[j] = float32(f)
				}
				col.AppendFloats(fs...)
			default:
				is := make([]int64, len(leaves))
				for j, x := range leaves {
					n, err := toInt(x)
					if err != nil {
						return nil, fmt.Errorf("input.%s[%d]: feature %s: %v", key, i, name, err)
					}
					is[j] = n
				}
				col.AppendInts(is...)
			}
		}
		b.Columns = append(b.Columns, col)
	}
	if len(b.Columns) == 0 {
		// Rows without any feature still count as examples.
		b.Lines = make([]int64, len(rows))
	}
	return b, nil
}

// protoCheck compares a computed proto with an expected protobuf text
// (diff_regions ignored, floats within the case's tolerance).
func protoCheck(got proto.Message, tol Tolerance) func(exp any) error {
	return func(exp any) error {
		s, ok := exp.(string)
		if !ok {
			return errors.New("expected protobuf text")
		}
		want := got.ProtoReflect().New().Interface()
		if err := prototext.Unmarshal([]byte(s), want); err != nil {
			return fmt.Errorf("bad expected proto: %v", err)
		}
		return diffProtos(want, got, tol)
	}
}

func diffProtos(want, got proto.Message, tol Tolerance) error {
	opts := []cmp.Option{protocmp.Transform(), protocmp.IgnoreFields(&tfmd.AnomalyInfo{}, "diff_regions")}
	if tol.HasAbsRel {
		opts = append(opts, cmpopts.EquateApprox(tol.Rel, tol.Abs))
	}
	if d := cmp.Diff(want, got, opts...); d != "" {
		g, _ := prototext.MarshalOptions{}.Marshal(got)
		return fmt.Errorf("proto differs (-want +got):\n%s\ngot: %s", d, g)
	}
	return nil
}

// protoParam reads params[key] (a JSON object with TFMD field names) into m.
func protoParam(c *Case, key string, m proto.Message) (bool, error) {
	v, ok := c.Params[key]
	if !ok || v == nil {
		return false, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return true, err
	}
	if err := protojson.Unmarshal(b, m); err != nil {
		return true, fmt.Errorf("params.%s: %v", key, err)
	}
	return true, nil
}

// jsonCheck compares a computed proto with an expected JSON object.
func jsonCheck(got proto.Message, tol Tolerance) func(exp any) error {
	return func(exp any) error {
		b, err := json.Marshal(exp)
		if err != nil {
			return err
		}
		want := got.ProtoReflect().New().Interface()
		if err := protojson.Unmarshal(b, want); err != nil {
			return fmt.Errorf("bad expected value: %v", err)
		}
		return diffProtos(want, got, tol)
	}
}

// anomalyOutputs holds the checks every anomalies result supports.
func anomalyOutputs(an *tfmd.Anomalies, tol Tolerance) map[string]any {
	got := map[string]any{}
	// anomalies: feature → {reason_types, severity, short_description,
	// description}; only the fields expected are compared.
	m := map[string]any{}
	for k, info := range an.GetAnomalyInfo() {
		var types []any
		for _, r := range info.GetReason() {
			types = append(types, r.GetType().String())
		}
		if types == nil {
			types = []any{}
		}
		m[k] = map[string]any{
			"reason_types":      types,
			"severity":          info.GetSeverity().String(),
			"short_description": info.GetShortDescription(),
			"description":       info.GetDescription(),
		}
	}
	got["anomalies"] = func(exp any) error {
		e, ok := exp.(map[string]any)
		if !ok {
			return errors.New("expected an object")
		}
		if len(e) != len(m) {
			return fmt.Errorf("got anomalies for %s, want for %s", strings.Join(sortedKeys(m), ", "), strings.Join(sortedKeys(e), ", "))
		}
		return compareValue("anomalies", exp, m, tol)
	}
	got["anomaly_info_pbtxt"] = func(exp any) error {
		s, ok := exp.(string)
		if !ok {
			return errors.New("expected protobuf text")
		}
		want := &tfmd.AnomalyInfo{}
		if err := prototext.Unmarshal([]byte(s), want); err != nil {
			return fmt.Errorf("bad expected proto: %v", err)
		}
		key := strings.Join(want.GetPath().GetStep(), ".")
		info := an.GetAnomalyInfo()[key]
		if info == nil {
			return fmt.Errorf("no anomaly for %q", key)
		}
		return diffProtos(want, info, tol)
	}
	got["absent_anomalies_for"] = func(exp any) error {
		l, ok := exp.([]any)
		if !ok {
			return errors.New("expected a list of features")
		}
		for _, x := range l {
			if s, _ := x.(string); an.GetAnomalyInfo()[s] != nil {
				return fmt.Errorf("%s has an anomaly: %s", s, an.GetAnomalyInfo()[s].GetDescription())
			}
		}
		return nil
	}
	var ds []any
	for _, d := range an.GetDriftSkewInfo() {
		entry := map[string]any{"path": stringsAny(d.GetPath().GetStep())}
		for name, ms := range map[string][]*tfmd.DriftSkewInfo_Measurement{
			"drift_measurements": d.GetDriftMeasurements(), "skew_measurements": d.GetSkewMeasurements()} {
			l := []any{}
			for _, x := range ms {
				l = append(l, map[string]any{"type": x.GetType().String(), "value": x.GetValue(), "threshold": x.GetThreshold()})
			}
			entry[name] = l
		}
		ds = append(ds, entry)
	}
	if ds == nil {
		ds = []any{}
	}
	got["drift_skew_info"] = ds
	got["data_missing"] = an.GetDataMissing()
	got["anomalies_pbtxt"] = protoCheck(an, tol)
	return got
}

func stringsAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// runInferSchema: infer_schema(statistics, infer_feature_shape,
// max_string_domain_size).
var runInferSchema = validationRunner(func(c *Case) (map[string]any, error) {
	stats, err := statisticsInput(c, "statistics_pbtxt", "rows", nil)
	if err != nil {
		return nil, err
	}
	if stats == nil {
		return nil, errors.New("input has neither statistics_pbtxt nor rows")
	}
	shape, err := paramBool(c, "infer_feature_shape", true)
	if err != nil {
		return nil, err
	}
	opts := tfdv.InferOptions{NoShape: !shape}
	if n, ok, err := paramInt(c, "max_string_domain_size"); err != nil {
		return nil, err
	} else if ok {
		// InferOptions reads 0 as the default; TFDV's 0 allows no domain.
		opts.MaxStringDomainSize = int(max(min(n, math.MaxInt32), -1))
		if n == 0 {
			opts.MaxStringDomainSize = -1
		}
	}
	schema, err := tfdv.InferSchema(stats, opts)
	if err != nil {
		return nil, err
	}
	return map[string]any{"schema_pbtxt": protoCheck(schema, c.Tolerance)}, nil
})

// runValidateStatistics: validate_statistics(statistics, schema,
// environment, previous_statistics, serving_statistics).
var runValidateStatistics = validationRunner(func(c *Case) (map[string]any, error) {
	schema, err := schemaInput(c)
	if err != nil {
		return nil, err
	}
	stats, err := statisticsInput(c, "statistics_pbtxt", "rows", schema)
	if err != nil {
		return nil, err
	}
	if stats == nil {
		return nil, errors.New("input has neither statistics_pbtxt nor rows")
	}
	countExamples(stats)
	opts := tfdv.Options{Environment: paramString(c, "environment", "")}
	if opts.Serving, err = statisticsInput(c, "serving_statistics_pbtxt", "serving_rows", schema); err != nil {
		return nil, err
	}
	if opts.Previous, err = statisticsInput(c, "previous_statistics_pbtxt", "previous_rows", schema); err != nil {
		return nil, err
	}
	res, err := tfdv.Validate(stats, schema, opts)
	if err != nil {
		return nil, err
	}
	got := anomalyOutputs(res.Anomalies, c.Tolerance)
	got["updated_schema_pbtxt"] = protoCheck(res.Fixed, c.Tolerance)
	return got, nil
})

// countExamples fills in num_examples of datasets that leave it out while
// their features were seen: fragments of upstream C++ tests that call
// SchemaAnomalies::FindChanges directly, which has no "no data" shortcut
// (validate_statistics reports data_missing for 0 examples). The count is
// the largest num_non_missing + num_missing of a feature.
func countExamples(list *tfmd.DatasetFeatureStatisticsList) {
	for _, ds := range list.GetDatasets() {
		if ds.GetNumExamples() != 0 || ds.GetWeightedNumExamples() != 0 {
			continue
		}
		for _, f := range ds.GetFeatures() {
			var cs *tfmd.CommonStatistics
			switch {
			case f.GetNumStats() != nil:
				cs = f.GetNumStats().GetCommonStats()
			case f.GetStringStats() != nil:
				cs = f.GetStringStats().GetCommonStats()
			case f.GetBytesStats() != nil:
				cs = f.GetBytesStats().GetCommonStats()
			case f.GetStructStats() != nil:
				cs = f.GetStructStats().GetCommonStats()
			}
			if cs.GetNumNonMissing() > 0 {
				ds.NumExamples = max(ds.NumExamples, cs.GetNumNonMissing()+cs.GetNumMissing())
			}
		}
	}
}

// schemaAndRows reads input.schema_pbtxt and input.rows, as a batch.
func schemaAndRows(c *Case) (*tfmd.Schema, *batch.Batch, error) {
	schema, err := schemaInput(c)
	if err != nil {
		return nil, nil, err
	}
	b, err := rowsBatch(c, "rows", schema)
	return schema, b, err
}

// runValidateInstance: validate_instance(rows, schema, environment).
var runValidateInstance = validationRunner(func(c *Case) (map[string]any, error) {
	schema, b, err := schemaAndRows(c)
	if err != nil {
		return nil, err
	}
	an, err := tfdv.ValidateInstance(b, nil, schema, paramString(c, "environment", ""))
	if err != nil {
		return nil, err
	}
	return anomalyOutputs(an, c.Tolerance), nil
})

// runIdentifyAnomalousExamples: identify_anomalous_examples, each row
// validated alone; the expected list holds [key, example] pairs (or
// objects with a key and an example) in any order.
var runIdentifyAnomalousExamples = validationRunner(func(c *Case) (map[string]any, error) {
	schema, b, err := schemaAndRows(c)
	if err != nil {
		return nil, err
	}
	rows, _ := asRows("rows", c.Input["rows"])
	found, err := tfdv.IdentifyAnomalousExamples(b, schema, paramString(c, "environment", ""))
	if err != nil {
		return nil, err
	}
	var got []string
	for _, f := range found {
		ex, _ := json.Marshal(rows[f.Row])
		got = append(got, f.Key+"\x00"+string(ex))
	}
	return map[string]any{"anomalous_examples": func(exp any) error {
		l, ok := exp.([]any)
		if !ok {
			return errors.New("expected a list")
		}
		var want []string
		keysOnly := false
		for _, x := range l {
			var key string
			var ex any
			switch e := x.(type) {
			case []any:
				if len(e) != 2 {
					return errors.New("expected [key, example] pairs")
				}
				key, _ = e[0].(string)
				ex = e[1]
			case map[string]any:
				for _, k := range []string{"key", "slice_key", "reason"} {
					if s, ok := e[k].(string); ok {
						key = s
					}
				}
				for _, k := range []string{"example", "row"} {
					if v, ok := e[k]; ok {
						ex = v
					}
				}
			case string:
				key, keysOnly = e, true
			}
			b, _ := json.Marshal(ex)
			want = append(want, key+"\x00"+string(b))
		}
		if keysOnly {
			for i := range got {
				got[i] = got[i][:strings.IndexByte(got[i], 0)]
			}
			for i := range want {
				want[i] = want[i][:strings.IndexByte(want[i], 0)]
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("got %q, want %q", got, want)
		}
		return nil
	}}, nil
})

// countsInput reads input[key] as a value → count map.
func countsInput(c *Case, key string) (map[string]float64, error) {
	m, ok := c.Input[key].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("input.%s must be an object of counts", key)
	}
	out := map[string]float64{}
	for k, v := range m {
		f, err := toFloat(v)
		if err != nil {
			return nil, fmt.Errorf("input.%s.%s: %v", key, k, err)
		}
		out[k] = f
	}
	return out, nil
}

// distanceRunner runs a distance between input.counts_a and counts_b.
func distanceRunner(dist func(a, b map[string]float64) (float64, string, error)) Runner {
	return validationRunner(func(c *Case) (map[string]any, error) {
		a, err := countsInput(c, "counts_a")
		if err != nil {
			return nil, err
		}
		b, err := countsInput(c, "counts_b")
		if err != nil {
			return nil, err
		}
		d, key, err := dist(a, b)
		if err != nil {
			return nil, err
		}
		return map[string]any{"value": d, "key": key, "max_key": key, "feature_value": key}, nil
	})
}

var (
	runLInfinity = distanceRunner(func(a, b map[string]float64) (float64, string, error) {
		d, k := tfdv.LInfinityDistance(a, b)
		return d, k, nil
	})
	runNormalizedAbsDiff = distanceRunner(func(a, b map[string]float64) (float64, string, error) {
		d, k := tfdv.NormalizedAbsoluteDifference(a, b)
		return d, k, nil
	})
	runJensenShannon = distanceRunner(func(a, b map[string]float64) (float64, string, error) {
		d, err := tfdv.JensenShannonDivergence(a, b)
		return d, "", err
	})
)

// featureStatsInput reads input.feature_statistics_pbtxt.
func featureStatsInput(c *Case) (*tfmd.FeatureNameStatistics, error) {
	fs := &tfmd.FeatureNameStatistics{}
	return fs, requiredPbtxt(c, "feature_statistics_pbtxt", fs)
}

// reasonOutputs holds the checks of a list of reasons.
func reasonOutputs(rs []tfdv.Reason, clear bool) map[string]any {
	types, descs, shorts := []any{}, []any{}, []any{}
	for _, r := range rs {
		types = append(types, r.Type.String())
		descs = append(descs, r.Long)
		shorts = append(shorts, r.Short)
	}
	got := map[string]any{"reason_types": types, "descriptions": descs, "short_descriptions": shorts, "clear_field": clear, "domain_cleared": clear}
	if len(rs) == 1 {
		got["description"] = rs[0].Long
		got["short_description"] = rs[0].Short
	}
	return got
}

// runIntDomain: int_domain_util UpdateIntDomain on one feature's stats.
var runIntDomain = validationRunner(domainRunner("int_domain", func() *tfmd.IntDomain { return &tfmd.IntDomain{} }, tfdv.UpdateIntDomain))

// runFloatDomain: float_domain_util UpdateFloatDomain on one feature's
// stats.
var runFloatDomain = validationRunner(domainRunner("float_domain", func() *tfmd.FloatDomain { return &tfmd.FloatDomain{} }, tfdv.UpdateFloatDomain))

// domainRunner computes a case of an Update*Domain: the feature's stats
// and the domain in params[param] in; the reasons, whether the domain was
// cleared, and the updated domain as "updated_"+param out.
func domainRunner[D proto.Message](param string, newDomain func() D, update func(*tfmd.FeatureNameStatistics, D) ([]tfdv.Reason, bool)) func(c *Case) (map[string]any, error) {
	return func(c *Case) (map[string]any, error) {
		fs, err := featureStatsInput(c)
		if err != nil {
			return nil, err
		}
		d := newDomain()
		if _, err := protoParam(c, param, d); err != nil {
			return nil, err
		}
		rs, clear := update(fs, d)
		got := reasonOutputs(rs, clear)
		got["updated_"+param] = jsonCheck(d, c.Tolerance)
		return got, nil
	}
}

// runPresence: feature_util UpdatePresence on one feature's stats and
// params.num_examples.
var runPresence = validationRunner(func(c *Case) (map[string]any, error) {
	fs, err := featureStatsInput(c)
	if err != nil {
		return nil, err
	}
	p := &tfmd.FeaturePresence{}
	if _, err := protoParam(c, "presence", p); err != nil {
		return nil, err
	}
	n, ok, err := paramInt(c, "num_examples")
	if err != nil {
		return nil, err
	}
	if !ok {
		cs := fs.GetNumStats().GetCommonStats()
		if cs == nil {
			cs = fs.GetStringStats().GetCommonStats()
		}
		n = int64(cs.GetNumMissing() + cs.GetNumNonMissing())
	}
	if n < 0 {
		return nil, fmt.Errorf("params.num_examples %d is negative", n)
	}
	rs := tfdv.UpdatePresence(fs, uint64(n), p)
	got := reasonOutputs(rs, false)
	got["updated_presence"] = jsonCheck(p, c.Tolerance)
	return got, nil
})
