package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// gen returns the CSV that generate writes for rows and seed.
func gen(t testing.TB, rows, seed int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := generate(context.Background(), &b, rows, seed); err != nil {
		t.Fatalf("generate(%d, %d): %v", rows, seed, err)
	}
	return b.Bytes()
}

const sampleRows = 20000

var sample = sync.OnceValue(func() [][]string {
	var b bytes.Buffer
	if err := generate(context.Background(), &b, sampleRows, 1); err != nil {
		panic(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.Split(l, ",")
	}
	return rows
})

func TestDeterministic(t *testing.T) {
	a, b := gen(t, 3000, 42), gen(t, 3000, 42)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with seed 42 differ")
	}
	if bytes.Equal(a, gen(t, 3000, 43)) {
		t.Fatal("seeds 42 and 43 give the same data")
	}
	// Rows do not depend on how many are asked for: a shorter run is a prefix.
	if short := gen(t, 1000, 42); !bytes.HasPrefix(a, short) {
		t.Fatal("the first 1000 rows of a 3000-row run differ from a 1000-row run")
	}
}

// TestGolden pins the bytes for seed 1, so that a change to the generator is
// deliberate: examples and benchmarks rely on `-seed 1` meaning the same data.
// If you changed the generator on purpose, update the hash.
func TestGolden(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the reference bytes are amd64's; math functions may round differently elsewhere")
	}
	sum := sha256.Sum256(gen(t, 1000, 1))
	const want = "d5b1e499c307d16bc359d87d2ad66d138f432cca4c3ddd654d650cac05495e4c"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("sha256 of 1000 rows with seed 1 = %s, want %s", got, want)
	}
}

func TestHeaderOnly(t *testing.T) {
	if got := string(gen(t, 0, 1)); got != header+"\n" {
		t.Errorf("0 rows: got %q", got)
	}
}

func TestShape(t *testing.T) {
	rows := sample()
	if len(rows) != sampleRows+1 {
		t.Fatalf("got %d lines, want %d", len(rows), sampleRows+1)
	}
	want := strings.Split(header, ",")
	if len(want) != numColumns {
		t.Fatalf("header has %d columns, want %d", len(want), numColumns)
	}
	if !slices.Equal(rows[0], want) {
		t.Fatalf("header = %v", rows[0])
	}
	for i, r := range rows {
		if len(r) != numColumns {
			t.Fatalf("line %d has %d cells, want %d: %q", i+1, len(r), numColumns, strings.Join(r, ","))
		}
		for _, c := range r {
			if strings.ContainsAny(c, "\"\r\n") {
				t.Fatalf("line %d: cell %q would need quoting", i+1, c)
			}
		}
	}
}

// realMissing is the share of empty cells per column in the real sample
// (15,002 rows), measured once; the generator should be close to it.
var realMissing = map[string]float64{
	"pickup_community_area":  0.00013,
	"pickup_latitude":        0.00013,
	"pickup_longitude":       0.00013,
	"dropoff_latitude":       0.0322,
	"dropoff_longitude":      0.0322,
	"dropoff_community_area": 0.0338,
	"pickup_census_tract":    0.9999,
	"dropoff_census_tract":   0.2827,
	"company":                0.3426,
	"trip_seconds":           0.0004,
	// Every other column is never empty.
}

func TestMissingRates(t *testing.T) {
	rows := sample()
	names := rows[0]
	n := float64(len(rows) - 1)
	for j, name := range names {
		empty := 0
		for _, r := range rows[1:] {
			if r[j] == "" {
				empty++
			}
		}
		got := float64(empty) / n
		want := realMissing[name]
		if want == 0 {
			if empty != 0 {
				t.Errorf("%s: %d empty cells, want none", name, empty)
			}
			continue
		}
		tol := 0.005 + 4*math.Sqrt(want*(1-want)/n)
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %.4f empty, want %.4f ± %.4f", name, got, want, tol)
		}
		t.Logf("%-24s empty %.4f (real %.4f)", name, got, want)
	}
}

func TestValues(t *testing.T) {
	rows := sample()
	col := map[string]int{}
	for j, name := range rows[0] {
		col[name] = j
	}
	cell := func(r []string, name string) string { return r[col[name]] }
	atoi := func(r []string, name string) int64 {
		v, err := strconv.ParseInt(cell(r, name), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	atof := func(r []string, name string) float64 {
		v, err := strconv.ParseFloat(cell(r, name), 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	positives := 0
	for i, r := range rows[1:] {
		line := i + 2
		day, hour, month := atoi(r, "trip_start_day"), atoi(r, "trip_start_hour"), atoi(r, "trip_start_month")
		if day < 1 || day > 7 || hour < 0 || hour > 23 || month < 1 || month > 12 {
			t.Fatalf("line %d: day %d hour %d month %d out of range", line, day, hour, month)
		}
		ts := time.Unix(atoi(r, "trip_start_timestamp"), 0).UTC()
		if int64(ts.Month()) != month || int64(ts.Hour()) != hour || int64(ts.Weekday())+1 != day ||
			ts.Minute()%15 != 0 || ts.Year() < 2013 || ts.Year() > 2016 {
			t.Fatalf("line %d: timestamp %v disagrees with month %d, hour %d, day %d", line, ts, month, hour, day)
		}
		for _, name := range []string{"pickup_latitude", "pickup_longitude", "dropoff_latitude", "dropoff_longitude"} {
			c := cell(r, name)
			if c == "" {
				continue
			}
			if dot := strings.IndexByte(c, '.'); dot < 0 || len(c)-dot-1 != 6 {
				t.Fatalf("line %d: %s = %q, want 6 decimals", line, name, c)
			}
		}
		for _, name := range []string{"fare", "tips", "trip_miles"} {
			if v := atof(r, name); v < 0 || !strings.Contains(cell(r, name), ".") {
				t.Fatalf("line %d: %s = %q, want a non-negative float written with a point", line, name, cell(r, name))
			}
		}
		if c := cell(r, "trip_seconds"); c != "" {
			if v := atoi(r, "trip_seconds"); v < 0 || v%60 != 0 {
				t.Fatalf("line %d: trip_seconds = %d", line, v)
			}
		}
		fare, tips := atof(r, "fare"), atof(r, "tips")
		if tips > 0.2*fare {
			positives++
		}
		// No ties: the label is the same in float32.
		if tips > 0 && float32(tips) > float32(0.2)*float32(fare) != (tips > 0.2*fare) {
			t.Fatalf("line %d: tips %v, fare %v: label differs in float32", line, tips, fare)
		}
	}
	share := float64(positives) / float64(len(rows)-1)
	t.Logf("tips > 0.2 * fare on %.4f of the rows", share)
	if share < 0.15 || share > 0.40 {
		t.Errorf("label balance %.4f, want between 0.15 and 0.40", share)
	}
}

// TestLabelSignal checks that the label depends on payment_type, fare and
// hour, as the example's model is meant to learn.
func TestLabelSignal(t *testing.T) {
	rows := sample()
	col := map[string]int{}
	for j, name := range rows[0] {
		col[name] = j
	}
	type acc struct{ pos, n int }
	groups := map[string]*acc{}
	add := func(key string, pos bool) {
		a := groups[key]
		if a == nil {
			a = &acc{}
			groups[key] = a
		}
		a.n++
		if pos {
			a.pos++
		}
	}
	for _, r := range rows[1:] {
		fare, _ := strconv.ParseFloat(r[col["fare"]], 64)
		tips, _ := strconv.ParseFloat(r[col["tips"]], 64)
		hour, _ := strconv.Atoi(r[col["trip_start_hour"]])
		pos := tips > 0.2*fare
		add("pay="+r[col["payment_type"]], pos)
		if r[col["payment_type"]] != "Credit Card" {
			continue
		}
		switch {
		case fare < 5:
			add("card,fare<5", pos)
		case fare >= 15:
			add("card,fare>=15", pos)
		}
		switch {
		case hour >= 22 || hour <= 3:
			add("card,night", pos)
		case hour >= 6 && hour <= 9:
			add("card,morning", pos)
		}
	}
	rate := func(k string) float64 {
		a := groups[k]
		if a == nil || a.n == 0 {
			t.Fatalf("no rows for %s", k)
		}
		return float64(a.pos) / float64(a.n)
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		t.Logf("%-18s %5d rows, %.3f positive", k, groups[k].n, rate(k))
	}
	if rate("pay=Cash") > 0.01 || rate("pay=Credit Card") < 0.5 {
		t.Errorf("payment_type: cash %.3f, card %.3f positive", rate("pay=Cash"), rate("pay=Credit Card"))
	}
	if rate("card,fare<5") < rate("card,fare>=15")+0.1 {
		t.Errorf("fare: small card fares %.3f vs large %.3f positive", rate("card,fare<5"), rate("card,fare>=15"))
	}
	if rate("card,night") < rate("card,morning")+0.1 {
		t.Errorf("hour: card at night %.3f vs morning %.3f positive", rate("card,night"), rate("card,morning"))
	}
}

// ---------------------------------------------------------------------------
// The schema in ../schema.pbtxt agrees with the generator.

func TestSchemaAgrees(t *testing.T) {
	src, err := os.ReadFile("../schema.pbtxt")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := parsePBText(string(src))
	if err != nil {
		t.Fatalf("schema.pbtxt: %v", err)
	}
	if env := schema.values("default_environment"); !slices.Equal(env, []string{"TRAINING", "SERVING"}) {
		t.Errorf("default_environment = %q", env)
	}
	domains := map[string][]string{}
	for _, d := range schema.msgs("string_domain") {
		domains[d.value("name")] = d.values("value")
	}
	if want := paymentTypes; !slices.Equal(domains["payment_type"], want) {
		t.Errorf("string_domain payment_type = %q, want %q", domains["payment_type"], want)
	}
	var names []string
	for _, c := range companies {
		names = append(names, c.name)
	}
	if !slices.Equal(domains["company"], names) {
		t.Errorf("string_domain company = %q, want %q", domains["company"], names)
	}

	rows := sample()
	features := schema.msgs("feature")
	if len(features) != numColumns {
		t.Fatalf("schema has %d features, want %d", len(features), numColumns)
	}
	categorical := map[string]bool{"trip_start_day": true, "trip_start_hour": true, "trip_start_month": true,
		"pickup_community_area": true, "dropoff_community_area": true}
	for j, f := range features {
		name := f.value("name")
		if name != rows[0][j] {
			t.Fatalf("feature %d is %q, column %d is %q", j, name, j, rows[0][j])
		}
		if vc := f.msg("value_count"); vc == nil || vc.value("min") != "1" || vc.value("max") != "1" {
			t.Errorf("%s: want value_count { min: 1 max: 1 }", name)
		}
		p := f.msg("presence")
		if p == nil || p.value("min_count") != "1" {
			t.Errorf("%s: want presence with min_count: 1", name)
		} else if required, want := p.value("min_fraction") != "", realMissing[name] == 0; required != want {
			t.Errorf("%s: presence min_fraction set = %v, want %v", name, required, want)
		} else if required && p.value("min_fraction") != "1.0" {
			t.Errorf("%s: min_fraction = %s", name, p.value("min_fraction"))
		}
		envs := f.values("not_in_environment")
		if want := name == "tips"; want != slices.Equal(envs, []string{"SERVING"}) {
			t.Errorf("%s: not_in_environment = %q", name, envs)
		}
		id := f.msg("int_domain")
		if categorical[name] != (id != nil && id.value("is_categorical") == "true") {
			t.Errorf("%s: int_domain = %v, categorical = %v", name, id, categorical[name])
		}
		var lo, hi float64
		var bounded bool
		for _, d := range []*pbNode{id, f.msg("float_domain")} {
			if d != nil {
				lo, _ = strconv.ParseFloat(d.value("min"), 64)
				hi, _ = strconv.ParseFloat(d.value("max"), 64)
				bounded = true
			}
		}
		domain := map[string]bool{}
		if dn := f.value("domain"); dn != "" {
			if domains[dn] == nil {
				t.Errorf("%s: domain %q is not declared", name, dn)
			}
			for _, v := range domains[dn] {
				domain[v] = true
			}
		}
		typ := f.value("type")
		for i, r := range rows[1:] {
			c := r[j]
			if c == "" {
				continue
			}
			var v float64
			var err error
			switch typ {
			case "INT":
				var n int64
				n, err = strconv.ParseInt(c, 10, 64)
				v = float64(n)
			case "FLOAT":
				v, err = strconv.ParseFloat(c, 64)
			case "BYTES":
				if len(domain) > 0 && !domain[c] {
					err = fmt.Errorf("%q is not in domain %q", c, f.value("domain"))
				}
			default:
				t.Fatalf("%s: type %q", name, typ)
			}
			if err == nil && bounded && (v < lo || v > hi) {
				err = fmt.Errorf("%v is outside [%v, %v]", v, lo, hi)
			}
			if err != nil {
				t.Fatalf("line %d, %s (%s): %v", i+2, name, typ, err)
			}
		}
	}
}

// pbNode is a message parsed from protobuf text format, enough of it for the
// schema: fields in order, scalars as their text.
type pbNode struct{ fields []pbField }

type pbField struct {
	name  string
	value string // unquoted for strings
	msg   *pbNode
}

func (n *pbNode) msgs(name string) []*pbNode {
	var out []*pbNode
	for _, f := range n.fields {
		if f.name == name && f.msg != nil {
			out = append(out, f.msg)
		}
	}
	return out
}

func (n *pbNode) msg(name string) *pbNode {
	if n == nil {
		return nil
	}
	if m := n.msgs(name); len(m) > 0 {
		return m[len(m)-1]
	}
	return nil
}

func (n *pbNode) values(name string) []string {
	var out []string
	for _, f := range n.fields {
		if f.name == name && f.msg == nil {
			out = append(out, f.value)
		}
	}
	return out
}

func (n *pbNode) value(name string) string {
	if v := n.values(name); len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

func (n *pbNode) String() string { return fmt.Sprint(n.fields) }

// parsePBText parses protobuf text format without a descriptor.
func parsePBText(src string) (*pbNode, error) {
	toks, err := pbTokens(src)
	if err != nil {
		return nil, err
	}
	n, rest, err := pbParse(toks, false)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected %q", rest[0])
	}
	return n, nil
}

func pbParse(toks []string, nested bool) (*pbNode, []string, error) {
	n := &pbNode{}
	for len(toks) > 0 {
		name := toks[0]
		if name == "}" {
			if !nested {
				return nil, nil, errors.New("unbalanced }")
			}
			return n, toks[1:], nil
		}
		if !isIdent(name) {
			return nil, nil, fmt.Errorf("want a field name, got %q", name)
		}
		toks = toks[1:]
		colon := len(toks) > 0 && toks[0] == ":"
		if colon {
			toks = toks[1:]
		}
		if len(toks) == 0 {
			return nil, nil, fmt.Errorf("%s: unexpected end", name)
		}
		if toks[0] == "{" {
			m, rest, err := pbParse(toks[1:], true)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			n.fields = append(n.fields, pbField{name: name, msg: m})
			toks = rest
			continue
		}
		if !colon {
			return nil, nil, fmt.Errorf("%s: want : before a scalar", name)
		}
		v := toks[0]
		if strings.HasPrefix(v, `"`) {
			s, err := strconv.Unquote(v)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %v", name, err)
			}
			v = s
		} else if v == "{" || v == "}" || v == ":" {
			return nil, nil, fmt.Errorf("%s: want a value, got %q", name, v)
		}
		n.fields = append(n.fields, pbField{name: name, value: v})
		toks = toks[1:]
	}
	if nested {
		return nil, nil, errors.New("missing }")
	}
	return n, nil, nil
}

func isIdent(s string) bool {
	for i, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

func pbTokens(src string) ([]string, error) {
	var toks []string
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '{' || c == '}' || c == ':':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				if j < len(src) && src[j] == '\n' {
					return nil, errors.New("newline in string")
				}
				j++
			}
			if j >= len(src) {
				return nil, errors.New("unterminated string")
			}
			toks = append(toks, src[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(src) && strings.IndexByte(" \t\r\n#{}:\"", src[j]) < 0 {
				j++
			}
			toks = append(toks, src[i:j])
			i = j
		}
	}
	return toks, nil
}

// ---------------------------------------------------------------------------
// The command line.

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestRunStdout(t *testing.T) {
	code, out, errs := runCmd("-rows", "3", "-seed", "9")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if want := string(gen(t, 3, 9)); out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rows", "-1"}, "-rows must be 0 or more, got -1"},
		{[]string{"-rows", "many"}, "invalid value"},
		{[]string{"-seed", "1.5"}, "invalid value"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		code, out, errs := runCmd(tc.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
}

func TestRunFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "taxi.csv") // data/ does not exist yet
	for _, seed := range []string{"5", "6"} {      // the second run replaces the file
		if code, _, errs := runCmd("-rows", "10", "-seed", seed, "-o", path); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, gen(t, 10, 6)) {
		t.Error("file differs from generate's output")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only taxi.csv (no temporary files)", len(entries))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode(), err)
	}
}

func TestRunUnwritable(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(notDir, "taxi.csv"), "cannot write"},
		{dir, "is a directory"},
	} {
		code, _, errs := runCmd("-rows", "5", "-o", tc.path)
		if code != 1 || !strings.Contains(errs, tc.want) || !strings.Contains(errs, tc.path) {
			t.Errorf("-o %s: exit %d, stderr %q; want exit 1 and %q", tc.path, code, errs, tc.want)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runCmd("-o", filepath.Join(ro, "taxi.csv")); code != 1 || !strings.Contains(errs, "permission denied") {
			t.Errorf("read-only dir: exit %d, stderr %q", code, errs)
		}
	}
}

func TestAtomicKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "taxi.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := writeFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file = %q, want the old content", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left in the directory, want 1", len(entries))
	}
}

func TestGenerateStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := generate(ctx, io.Discard, 1_000_000, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	const rows = 100_000
	for b.Loop() {
		if err := generate(context.Background(), io.Discard, rows, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
