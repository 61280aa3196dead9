package lang

import (
	"fmt"
	"slices"
	"strings"
)

// sources are the example formats tfxc reads, with their arguments.
var sources = map[string][]Param{
	"csv": {
		{Name: "path", Doc: "file or glob pattern, relative to the pipeline file", Kinds: Set(String), Const: true, Positional: true, Required: true},
		{Name: "delimiter", Doc: "the field separator, one character", Kinds: Set(String), Const: true, Default: ","},
	},
	"tfrecord": {
		{Name: "path", Doc: "file or glob pattern of TFRecord files of tf.Example, relative to the pipeline file", Kinds: Set(String), Const: true, Positional: true, Required: true},
	},
}

// exampleSettings are the settings of the examples block.
var exampleSettings = []SettingSpec{
	{Name: "split", Doc: "named shares of the examples by hash, e.g. `split train: 2, eval: 1` (the default)"},
	{Name: "max_bad_rows", Doc: "rows that may fail to parse before the run fails (default 0)",
		Params: []Param{{Name: "rows", Kinds: Set(Int), Const: true, Positional: true, Required: true, Bounds: AtLeast(0)}}},
	{Name: "on_anomaly", Doc: "what a schema anomaly does to the run: fail (default) or warn",
		Params: []Param{{Name: "action", Enum: []string{"fail", "warn"}, Positional: true, Required: true}}},
}

// pushFormats are the formats a model can be pushed as.
var pushFormats = []string{"saved_model", "tfjs"}

// settingNames lists the names of specs.
func settingNames(specs []SettingSpec) []string {
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	return names
}

// settings checks a block's settings against specs: unknown, duplicate
// and missing settings, and the arguments of those with Params. It returns
// the settings by name; each is handled further by the caller.
func (c *checker) settings(block string, body []*Setting, specs []SettingSpec, at Node) map[string]*Setting {
	out := map[string]*Setting{}
	for _, s := range body {
		i := slices.IndexFunc(specs, func(sp SettingSpec) bool { return sp.Name == s.Name.Name })
		if i < 0 {
			c.errorf(EUnknownSetting, s.Name, cmpHint(didYouMean(s.Name.Name, settingNames(specs)), "settings of "+block+": "+joinOr(settingNames(specs))),
				"%s has no setting %s", block, s.Name.Name)
			continue
		}
		if prev, dup := out[s.Name.Name]; dup {
			d := c.errorf(EDuplicateName, s.Name, "merge them into one line", "%s is set twice", s.Name.Name)
			c.related(d, prev.Name, "first set here")
			continue
		}
		out[s.Name.Name] = s
	}
	for _, sp := range specs {
		if sp.Required && out[sp.Name] == nil && sp.Name != "inputs" {
			c.errorf(EMissingSetting, at, fmt.Sprintf("add `%s …`: %s", sp.Name, sp.Doc), "%s needs the setting %s", block, sp.Name)
		}
	}
	return out
}

// settingArgs checks the arguments of a setting that has Params, and
// returns their values: the positional ones in order, then the named.
func (c *checker) settingArgs(s *Setting, spec SettingSpec) (positional []any, named map[string]any, ok bool) {
	e := c.newExprChecker()
	call := &Call{Args: map[string]ArgValue{}}
	if !e.bindArgs(s.Name.Name, spec.Params, s.Args, s.Name, call) {
		return nil, nil, false
	}
	named = map[string]any{}
	for _, v := range call.Variadic {
		positional = append(positional, v.Const)
	}
	for _, p := range spec.Params {
		if v, given := call.Args[p.Name]; given && !p.Variadic {
			if p.Positional {
				positional = append(positional, v.Const)
			} else {
				named[p.Name] = v.Const
			}
		}
	}
	return positional, named, true
}

func (c *checker) checkExamples(d *ExamplesDecl) {
	c.path = "examples"
	ex := &Examples{Format: d.Format.Name, Options: map[string]any{}, OnAnomaly: "fail"}
	c.prog.Examples = ex
	params, ok := sources[d.Format.Name]
	if !ok {
		c.errorf(EUnknownSource, d.Format, cmpHint(didYouMean(d.Format.Name, []string{"csv", "tfrecord"}), "the formats are csv and tfrecord"),
			"unknown examples format %s", d.Format.Name)
	} else {
		e := c.newExprChecker()
		call := &Call{Args: map[string]ArgValue{}}
		if e.bindArgs(d.Format.Name, params, d.Args, d.Format, call) {
			path := call.Args["path"]
			ex.Path = path.Const.(string)
			if strings.TrimSpace(ex.Path) == "" {
				c.errorf(ESource, path.Expr, "name the file to read, e.g. \"data/train.csv\"", "the examples path is empty")
			}
			if delim, given := call.Args["delimiter"]; given {
				if s := delim.Const.(string); len([]rune(s)) != 1 || s == "\n" || s == "\"" {
					c.errorf(EOptionRange, delim.Expr, "e.g. \",\", \";\" or \"\\t\"", "the delimiter must be one character other than a quote or a newline")
				} else {
					ex.Options["delimiter"] = s
				}
			}
		}
	}
	set := c.settings("examples", d.Body, exampleSettings, d.Format)
	ex.Splits = []Split{{"train", 2}, {"eval", 1}}
	if s := set["split"]; s != nil {
		ex.Splits = c.checkSplit(s)
	}
	if s := set["max_bad_rows"]; s != nil {
		if pos, _, ok := c.settingArgs(s, exampleSettings[1]); ok {
			ex.MaxBadRows = pos[0].(int64)
		}
	}
	if s := set["on_anomaly"]; s != nil {
		if pos, _, ok := c.settingArgs(s, exampleSettings[2]); ok {
			ex.OnAnomaly = pos[0].(string)
		}
	}
}

func (c *checker) checkSplit(s *Setting) []Split {
	var splits []Split
	seen := map[string]*Ident{}
	unnamed := false
	for _, a := range s.Args {
		if a.Name == nil {
			c.errorf(ESplit, a, "name each part: split train: 2, eval: 1", "split parts need names")
			unnamed = true
			continue
		}
		if prev, dup := seen[a.Name.Name]; dup {
			d := c.errorf(EDuplicateName, a.Name, "give each split its own name", "split %s is named twice", a.Name.Name)
			c.related(d, prev, "first named here")
			continue
		}
		seen[a.Name.Name] = a.Name
		v, kind, isConst := ConstValue(a.Value)
		if !isConst || kind != Int || v.(int64) <= 0 {
			c.errorf(ESplit, a.Value, "weights are positive integers: split train: 2, eval: 1 puts a third in eval",
				"the weight of split %s must be a positive integer", a.Name.Name)
			continue
		}
		splits = append(splits, Split{a.Name.Name, v.(int64)})
	}
	for _, need := range []string{"train", "eval"} {
		if seen[need] == nil && !unnamed { // with unnamed parts, which one is missing is unclear
			c.errorf(ESplitMissing, s.Name, "split train: 2, eval: 1 is the default", "the examples have no %s split", need)
		}
	}
	return splits
}

// declaredType converts a written type.
func (c *checker) declaredType(t *TypeExpr) (Type, bool) {
	kinds := map[string]Kind{"int": Int, "float": Float, "string": String, "bool": Bool}
	var typ Type
	if t.Name.Name == "vector" {
		if t.Elem == nil || t.Len <= 0 {
			c.errorf(EUnknownType, t.Name, "write vector(float, 3) or vector(int, 3)", "vector needs an element type and a positive length")
			return TInvalid, false
		}
		k, ok := kinds[t.Elem.Name]
		if !ok || (k != Int && k != Float) {
			c.errorf(EUnknownType, t.Elem, "vectors hold int or float", "unknown vector element type %s", t.Elem.Name)
			return TInvalid, false
		}
		typ = VectorOf(k, t.Len)
	} else if t.Name.Name == "list" {
		if t.Elem == nil || t.Len != 0 {
			c.errorf(EUnknownType, t.Name, "write list(string), list(int) or list(float)", "list needs an element type")
			return TInvalid, false
		}
		k, ok := kinds[t.Elem.Name]
		if !ok || k == Bool {
			c.errorf(EUnknownType, t.Elem, cmpHint(didYouMean(t.Elem.Name, []string{"int", "float", "string"}), "write list(string), list(int) or list(float)"),
				"unknown element type %s", t.Elem.Name)
			return TInvalid, false
		}
		typ = ListOf(k)
	} else {
		k, ok := kinds[t.Name.Name]
		if !ok || t.Elem != nil {
			c.errorf(EUnknownType, t.Name, cmpHint(didYouMean(t.Name.Name, []string{"int", "float", "string", "bool", "list", "vector"}), "the types are int, float, string, bool, list(T) and vector(T, n)"),
				"unknown type %s", t.Name.Name)
			return TInvalid, false
		}
		typ = Type{Kind: k}
	}
	typ.Optional = t.Optional && typ.Kind != List // a missing list has no values
	return typ, true
}

func (c *checker) checkFeatures(d *decls) {
	c.declared = map[string]*FeatureField{}
	if d.features == nil {
		return
	}
	for _, f := range d.features.Fields {
		c.path = "features." + f.Name.Name
		if prev, dup := c.declared[f.Name.Name]; dup {
			diag := c.errorf(EDuplicateName, f.Name, "delete one of the declarations", "feature %s is declared twice", f.Name.Name)
			c.related(diag, prev.Name, "first declared here")
			continue
		}
		c.declared[f.Name.Name] = f
		typ, ok := c.declaredType(f.Type)
		if !ok {
			c.used[f.Name.Name] = true // reported; not also "unused"
			continue
		}
		decl := &SchemaFeature{Name: f.Name.Name, Type: typ, Range: Range{File: c.file.Name, Start: f.Pos(), End: f.End()}}
		if !c.declaredDomain(f.Type.Domain, decl) {
			continue
		}
		switch {
		case c.prog.InferSchema:
			if c.prog.Schema == nil {
				c.prog.Schema = &Schema{}
			}
			c.prog.Schema.Features = append(c.prog.Schema.Features, decl)
			c.names[decl.Name] = &binding{kind: "feature", typ: typ, feature: decl, deps: []string{decl.Name}, node: f.Name}
		case c.schemaOK:
			c.compareWithSchema(f, decl)
		}
	}
}

// declaredDomain reads a declared domain into f.
func (c *checker) declaredDomain(d *Domain, f *SchemaFeature) bool {
	if d == nil {
		return true
	}
	if d.Values != nil {
		if f.Type.Kind != String {
			c.errorf(EOptionType, d, "write a range lo..hi for numbers", "a list of values is a domain of strings, not of %s", f.Type)
			return false
		}
		for _, v := range d.Values {
			s, kind, ok := ConstValue(v)
			if !ok || kind != String {
				c.errorf(EOptionType, v, `write the values as strings: in ["Cash", "Credit Card"]`, "a string domain holds string constants")
				return false
			}
			f.StringDomain = append(f.StringDomain, s.(string))
		}
		return true
	}
	lo, lk, ok1 := ConstValue(d.Lo)
	hi, hk, ok2 := ConstValue(d.Hi)
	if !ok1 || !ok2 || (lk != Int && lk != Float) || (hk != Int && hk != Float) {
		c.errorf(EOptionType, d, "write numbers: in 0..23", "a range domain needs numeric constants: lo..hi")
		return false
	}
	lf, _ := toFloat(lo)
	hf, _ := toFloat(hi)
	if lf > hf {
		c.errorf(EOptionRange, d, "write the lower bound first: lo..hi", "the domain's lower bound is above its upper bound")
		return false
	}
	switch f.Type.Kind {
	case Int:
		if lk != Int || hk != Int {
			c.errorf(EOptionType, d, "write whole numbers: in 0..23", "the domain of an int feature has int bounds")
			return false
		}
		l, h := lo.(int64), hi.(int64)
		f.IntDomain = &IntRange{Min: &l, Max: &h}
	case Float:
		f.FloatDomain = &FloatRange{Min: &lf, Max: &hf}
	default:
		c.errorf(EOptionType, d, `a range lo..hi suits int and float features; a string takes a list: in ["a", "b"]`, "a range is a domain of numbers, not of %s", f.Type)
		return false
	}
	return true
}

// compareWithSchema checks a declaration against the schema and narrows the
// schema's feature by the declared domain.
func (c *checker) compareWithSchema(f *FeatureField, decl *SchemaFeature) {
	b, ok := c.names[decl.Name]
	if !ok || b.feature == nil {
		c.errorf(ENotInSchema, f.Name, cmpHint(didYouMean(decl.Name, c.prog.Schema.Names()), "declare only features of the schema, or add it to the schema"),
			"feature %s is not in the schema", decl.Name)
		c.used[decl.Name] = true // reported; do not also call it unused
		return
	}
	sf := b.feature
	mismatch := func(code Code, n Node, format string, args ...any) {
		d := c.errorf(code, n, "make the declaration agree with the schema, or fix the schema", format, args...)
		if sf.Range.File != "" {
			d.Related = append(d.Related, Related{Range: sf.Range, Message: "the schema's feature"})
		}
	}
	if decl.Type.Required() != sf.Type.Required() {
		mismatch(ESchemaType, f.Type, "%s is declared %s but the schema says %s", decl.Name, decl.Type.Required(), sf.Type.Required())
		return
	}
	if !decl.Type.Optional && sf.Type.Optional {
		mismatch(ESchemaType, f.Type, "%s is declared always present but the schema says it may be missing", decl.Name)
		return
	}
	narrowed := *sf
	switch {
	case decl.IntDomain != nil:
		if s := sf.IntDomain; s != nil && ((s.Min != nil && *decl.IntDomain.Min < *s.Min) || (s.Max != nil && *decl.IntDomain.Max > *s.Max)) {
			mismatch(ESchemaDomain, f.Type.Domain, "%s is declared in %d..%d but the schema's domain is %s", decl.Name,
				*decl.IntDomain.Min, *decl.IntDomain.Max, s)
			return
		}
		narrowed.IntDomain = decl.IntDomain
	case decl.FloatDomain != nil:
		if s := sf.FloatDomain; s != nil && ((s.Min != nil && *decl.FloatDomain.Min < *s.Min) || (s.Max != nil && *decl.FloatDomain.Max > *s.Max)) {
			mismatch(ESchemaDomain, f.Type.Domain, "%s is declared in %g..%g but the schema's domain is %s", decl.Name,
				*decl.FloatDomain.Min, *decl.FloatDomain.Max, s)
			return
		}
		narrowed.FloatDomain = decl.FloatDomain
	case decl.StringDomain != nil:
		if sf.StringDomain != nil {
			for _, v := range decl.StringDomain {
				if !slices.Contains(sf.StringDomain, v) {
					mismatch(ESchemaDomain, f.Type.Domain, "%s is declared to take %q, which the schema's domain does not hold", decl.Name, v)
					return
				}
			}
		}
		narrowed.StringDomain = decl.StringDomain
	}
	narrowed.Type.Optional = decl.Type.Optional && sf.Type.Optional
	b.feature = &narrowed
	b.node = f.Name
}

// String formats an int range as "lo..hi" with "…" for an open bound.
func (r *IntRange) String() string {
	s := func(v *int64) string {
		if v == nil {
			return "…"
		}
		return fmt.Sprint(*v)
	}
	return s(r.Min) + ".." + s(r.Max)
}

// String formats a float range as "lo..hi" with "…" for an open bound.
func (r *FloatRange) String() string {
	s := func(v *float64) string {
		if v == nil {
			return "…"
		}
		return fmt.Sprint(*v)
	}
	return s(r.Min) + ".." + s(r.Max)
}

func (c *checker) checkModel(d *ModelDecl) {
	c.path = "model"
	m := &Model{Family: d.Family.Name, Settings: map[string]any{}}
	c.prog.Model = m
	fam := c.cfg.Catalog.Model(d.Family.Name)
	if fam == nil {
		c.errorf(EUnknownModel, d.Family, cmpHint(didYouMean(d.Family.Name, c.cfg.Catalog.ModelNames()),
			"the models are "+joinOr(c.cfg.Catalog.ModelNames())), "unknown model family %s", d.Family.Name)
		fam = &ModelFamily{Name: d.Family.Name, Labels: BinaryLabel | RegressionLabel | MulticlassLabel,
			Settings: []SettingSpec{{Name: "inputs", Names: true}}}
	}
	switch label := c.prog.Label; {
	case label == nil:
		c.errorf(ENoLabel, d.Family, "declare one: label y = …", "model %s has no label to learn", d.Family.Name)
	case label.Kind != 0 && fam.Labels&label.Kind == 0:
		c.errorf(EModelLabel, d.Family, "model families for it: "+c.familiesFor(label.Kind),
			"model %s cannot learn the label %s of type %s; it fits a %s label", fam.Name, label.Name, label.Type, fam.Labels)
	}
	set := c.settings("model "+fam.Name, d.Body, fam.Settings, d.Family)
	for _, spec := range fam.Settings {
		s := set[spec.Name]
		switch {
		case spec.Name == "inputs":
			if s == nil || len(s.Args) == 0 {
				n := Node(d.Family)
				if s != nil {
					n = s.Name
				}
				c.errorf(ENoInputs, n, "list them: inputs a_xf, b_xf", "model %s has no inputs", fam.Name)
				continue
			}
			m.Inputs = c.checkInputs(s)
		case s == nil:
		default:
			if pos, named, ok := c.settingArgs(s, spec); ok {
				_, steps := named["steps"]
				_, epochs := named["epochs"]
				if spec.Name == "train" && steps && epochs {
					c.errorf(EOptionConflict, s.Name, "train for steps or for epochs, not both",
						"train gives both steps and epochs")
					continue
				}
				if len(named) > 0 {
					m.Settings[spec.Name] = named
				} else {
					m.Settings[spec.Name] = pos
				}
			}
		}
	}
}

// familiesFor lists the model families that fit a label kind.
func (c *checker) familiesFor(kind LabelKinds) string {
	var names []string
	for _, n := range c.cfg.Catalog.ModelNames() {
		if c.cfg.Catalog.Model(n).Labels&kind != 0 {
			names = append(names, n)
		}
	}
	return joinOr(names)
}

func (c *checker) checkInputs(s *Setting) []string {
	var inputs []string
	seen := map[string]*Ident{}
	for _, a := range s.Args {
		id, isIdent := a.Value.(*Ident)
		if a.Name != nil || !isIdent {
			c.errorf(EUnknownInput, a, "inputs are names of transform outputs or features", "%s is not a name", ExprString(a.Value))
			continue
		}
		c.path = "model.inputs." + id.Name
		if prev, dup := seen[id.Name]; dup {
			d := c.errorf(EDuplicateName, id, "list each input once", "input %s is listed twice", id.Name)
			c.related(d, prev, "first listed here")
			continue
		}
		seen[id.Name] = id
		b, ok := c.names[id.Name]
		if !ok {
			switch {
			case c.prog.InferSchema:
				c.unknownName(id, true) // an undeclared feature, as anywhere else
			case c.schemaOK:
				var candidates []string
				for n, b := range c.names {
					if b.kind != "label" {
						candidates = append(candidates, n)
					}
				}
				slices.Sort(candidates)
				c.errorf(EUnknownInput, id, cmpHint(didYouMean(id.Name, candidates), "inputs name transform outputs or features of the schema"),
					"input %s is neither a transform output nor a feature", id.Name)
			}
			continue
		}
		if b.kind == "label" {
			c.errorf(ELabelAsInput, id, "the model learns the label; it cannot also read it", "the label %s cannot be a model input", id.Name)
			continue
		}
		c.used[id.Name] = true
		inputs = append(inputs, id.Name)
		t := b.typ
		switch {
		case t.Kind == Invalid:
		case t.Optional:
			c.errorf(EOptionalUnfilled, id, fmt.Sprintf("fill it in the transform block: %s_xf = fill(%s, 0)", id.Name, id.Name),
				"input %s may be missing (%s)", id.Name, t)
		case t.Kind == String:
			c.errorf(EInputType, id, fmt.Sprintf("encode it: %s_xf = vocabulary(%s, top_k: 1000), or hash(%s, 100)", id.Name, id.Name, id.Name),
				"input %s is a string; models take numbers and categories", id.Name)
		case t.Kind == List:
			c.errorf(EInputType, id, fmt.Sprintf("turn it into a vector: tfidf(vocabulary(%s, top_k: 1000)) for tokens", id.Name),
				"input %s is a %s; models take numbers, categories and vectors", id.Name, t)
		}
		for _, f := range b.deps {
			if c.isExcluded(f) {
				hint := fmt.Sprintf("%s is unknown when the model serves; drop the input or stop using %s in it", f, f)
				if id.Name == f {
					c.errorf(ELeakage, id, hint, "label leakage: input %s is absent at serving time", f)
					break
				}
				chain := c.dependencyChain(id.Name, f)
				c.errorf(ELeakage, id, hint, "label leakage: input %s depends on %s, which is absent at serving time (%s)", id.Name, f, describePath(chain))
				break
			}
		}
	}
	c.path = "model"
	return inputs
}

// dependencyChain returns the names from a transform output (or feature)
// down to a raw feature it depends on: [a_xf, b_xf, tips].
func (c *checker) dependencyChain(from, feature string) []string {
	if from == feature {
		return []string{from}
	}
	b := c.names[from]
	if b == nil || b.xf == nil {
		return []string{from, feature}
	}
	var found []string
	walkIdents(b.xf.Expr, func(id *Ident) bool {
		if found != nil {
			return false
		}
		nb := c.names[id.Name]
		if nb != nil && slices.Contains(nb.deps, feature) && nb.kind != "label" {
			found = c.dependencyChain(id.Name, feature)
		}
		return true
	})
	if found == nil {
		found = []string{feature}
	}
	return append([]string{from}, found...)
}

// walkIdents calls fn for every identifier used as a value in x.
func walkIdents(x Expr, fn func(*Ident) bool) {
	switch x := x.(type) {
	case *Ident:
		fn(x)
	case *ParenExpr:
		walkIdents(x.X, fn)
	case *UnaryExpr:
		walkIdents(x.X, fn)
	case *BinaryExpr:
		walkIdents(x.X, fn)
		walkIdents(x.Y, fn)
	case *CallExpr:
		for _, a := range x.Args {
			walkIdents(a.Value, fn)
		}
	}
}

func (c *checker) checkEvaluate(d *EvaluateDecl) {
	c.path = "evaluate"
	ev := &Evaluation{}
	c.prog.Evaluate = ev
	seenMetric := map[string]*Ident{}
	seenSlice := map[string]*Setting{}
	specs := []string{"metrics", "slice"}
	for _, s := range d.Body {
		switch s.Name.Name {
		case "metrics":
			for _, a := range s.Args {
				id, ok := a.Value.(*Ident)
				if !ok || a.Name != nil {
					c.errorf(EUnknownMetric, a, "list metric names: metrics auc, example_count", "%s is not a metric name", ExprString(a.Value))
					continue
				}
				c.path = "evaluate.metrics." + id.Name
				m := c.cfg.Catalog.Metric(id.Name)
				if m == nil {
					c.errorf(EUnknownMetric, id, cmpHint(didYouMean(id.Name, c.cfg.Catalog.MetricNames()), "the metrics are "+joinOr(c.cfg.Catalog.MetricNames())),
						"unknown metric %s", id.Name)
					continue
				}
				if prev, dup := seenMetric[id.Name]; dup {
					d := c.errorf(EDuplicateName, id, "list each metric once", "metric %s is listed twice", id.Name)
					c.related(d, prev, "first listed here")
					continue
				}
				seenMetric[id.Name] = id
				if l := c.prog.Label; l != nil && l.Kind != 0 && m.Labels&l.Kind == 0 {
					c.errorf(EMetricLabel, id, "metrics for it: "+c.metricsFor(l.Kind),
						"metric %s needs a %s label, and label %s is %s", id.Name, m.Labels, l.Name, l.Type)
					continue
				}
				ev.Metrics = append(ev.Metrics, id.Name)
			}
		case "slice":
			c.path = "evaluate.slice"
			spec, ok := c.checkSlice(s)
			if !ok {
				continue
			}
			key := strings.Join(spec, ",")
			if prev, dup := seenSlice[key]; dup {
				d := c.errorf(EDuplicateName, s, "delete one of them; the order of a cross's features does not matter", "this slice is declared twice")
				c.related(d, prev, "first declared here")
				continue
			}
			seenSlice[key] = s
			ev.Slices = append(ev.Slices, spec)
		default:
			c.errorf(EUnknownSetting, s.Name, cmpHint(didYouMean(s.Name.Name, specs), "evaluate has metrics and slice"),
				"evaluate has no setting %s", s.Name.Name)
		}
	}
	if len(ev.Slices) == 0 {
		ev.Slices = [][]string{nil} // the overall slice, as TFMA computes without slicing specs
	}
}

// metricsFor lists the metrics that fit a label kind.
func (c *checker) metricsFor(kind LabelKinds) string {
	var names []string
	for _, n := range c.cfg.Catalog.MetricNames() {
		if c.cfg.Catalog.Metric(n).Labels&kind != 0 {
			names = append(names, n)
		}
	}
	return joinOr(names)
}

// checkSlice checks one `slice` line and returns its features, sorted
// (nil for `slice all`).
func (c *checker) checkSlice(s *Setting) ([]string, bool) {
	if len(s.Args) == 0 {
		c.errorf(ESliceShape, s.Name, "slice all, slice f, or slice f, g for a cross", "slice needs features, or all")
		return nil, false
	}
	var spec []string
	ok := true
	for _, a := range s.Args {
		id, isIdent := a.Value.(*Ident)
		if !isIdent || a.Name != nil {
			c.errorf(ESliceShape, a, "slice on features by name", "%s is not a feature name", ExprString(a.Value))
			ok = false
			continue
		}
		if id.Name == "all" {
			if len(s.Args) > 1 {
				c.errorf(ESliceShape, id, "write `slice all` on its own line", "all is the overall slice and crosses with nothing")
				ok = false
			}
			continue
		}
		if slices.Contains(spec, id.Name) {
			c.errorf(EDuplicateName, id, "name each feature of a cross once", "%s appears twice in the slice", id.Name)
			ok = false
			continue
		}
		b, found := c.names[id.Name]
		if !found || b.kind == "label" {
			if !found {
				c.unknownName(id, true)
			} else {
				c.errorf(ESliceShape, id, "slice on features, not on the label", "cannot slice on the label")
			}
			ok = false
			continue
		}
		c.used[id.Name] = true
		switch t := b.typ; {
		case t.Kind == Float:
			c.errorf(ESliceFloat, id, fmt.Sprintf("bucketize it and slice on that: %s_bucket = bucketize(fill(%s, 0.0), 10)", id.Name, id.Name),
				"cannot slice on float %s: every value would be its own slice", id.Name)
			ok = false
		case !t.IsScalar():
			c.errorf(ESliceShape, id, "slice on a feature with one value per example", "cannot slice on %s of type %s: a slice needs one value per example", id.Name, t)
			ok = false
		}
		spec = append(spec, id.Name)
	}
	if !ok {
		return nil, false
	}
	slices.Sort(spec)
	return spec, true
}

func (c *checker) checkPush(p *PushDecl, earlier []*PushDecl) {
	c.path = "push"
	push := &Push{Dest: p.Dest.Value.(string)}
	c.prog.Pushes = append(c.prog.Pushes, push)
	if strings.TrimSpace(push.Dest) == "" {
		c.errorf(EDuplicateDest, p.Dest, "name a folder, e.g. \"serving/model\"", "the push destination is empty")
	}
	for _, prev := range earlier {
		if prev.Dest.Value == p.Dest.Value {
			d := c.errorf(EDuplicateDest, p.Dest, "push each destination once, with all its formats", "%s is pushed to twice", p.Dest.Raw)
			c.related(d, prev.Dest, "first pushed here")
		}
	}
	for i, f := range p.Formats {
		switch {
		case !slices.Contains(pushFormats, f.Name):
			c.errorf(EUnknownFormat, f, cmpHint(didYouMean(f.Name, pushFormats), "the formats are "+joinOr(pushFormats)), "unknown push format %s", f.Name)
		case slices.ContainsFunc(p.Formats[:i], func(g *Ident) bool { return g.Name == f.Name }):
			c.errorf(EDuplicateDest, f, "list each format once", "format %s is listed twice", f.Name)
		default:
			push.Formats = append(push.Formats, f.Name)
		}
	}
	if len(p.Criteria) == 0 {
		c.errorf(WUnconditionalPush, keywordNode(p), "add criteria: push … when { auc >= 0.7 }",
			"every trained model will be pushed: the push has no criteria")
	}
	for _, x := range p.Criteria {
		if cr := c.checkCriterion(x); cr != nil {
			push.Criteria = append(push.Criteria, cr)
		}
	}
}

var flipped = map[string]string{">=": "<=", ">": "<", "<=": ">=", "<": ">"}

// checkCriterion checks `metric OP bound` (or `bound OP metric`).
func (c *checker) checkCriterion(x Expr) *Criterion {
	c.path = "push.criteria"
	bin, ok := x.(*BinaryExpr)
	if !ok || flipped[bin.Op] == "" {
		c.errorf(ECriterion, x, "compare a metric with a bound: auc >= 0.7, or auc >= baseline.auc - 0.01",
			"a push criterion must compare a metric with a bound using >=, >, <= or <")
		return nil
	}
	metric, bound, op := bin.X, bin.Y, bin.Op
	if !c.isMetricRef(metric) && c.isMetricRef(bound) {
		metric, bound, op = bound, metric, flipped[op]
	}
	if !c.isMetricRef(metric) {
		c.errorf(ECriterion, bin.X, "the left side names a metric, as in auc >= 0.7", "neither side of the criterion is a metric")
		return nil
	}
	cr := &Criterion{Op: op, Bound: bound, Node: x}
	name, sliceIdx := metric, []Expr(nil)
	if ix, isIndex := metric.(*IndexExpr); isIndex {
		name, sliceIdx = ix.X, ix.Indices
	}
	id := name.(*Ident)
	cr.Metric = id.Name
	c.path = "push.criteria." + id.Name
	m, computed := c.metricComputed(id)
	if !computed {
		return nil
	}
	if !c.checkCriterionSlice(metric, sliceIdx, cr) {
		return nil
	}
	if !c.checkBound(bound) {
		return nil
	}
	if v, _, isConst := ConstValue(bound); isConst {
		f, _ := toFloat(v)
		never := (op == ">=" && f > m.Max) || (op == ">" && f >= m.Max) || (op == "<=" && f < m.Min) || (op == "<" && f <= m.Min)
		if never {
			c.errorf(EUnsatisfiable, x, fmt.Sprintf("%s takes values in [%g, %g]", m.Name, m.Min, m.Max),
				"no model can meet %s", ExprString(x))
			return nil
		}
	}
	return cr
}

// isMetricRef reports whether x names a metric: `auc` or `auc[slice]`.
func (c *checker) isMetricRef(x Expr) bool {
	if ix, ok := x.(*IndexExpr); ok {
		x = ix.X
	}
	id, ok := x.(*Ident)
	if !ok {
		return false
	}
	if c.cfg.Catalog.Metric(id.Name) != nil {
		return true
	}
	_, isFeature := c.names[id.Name]
	return !isFeature && id.Name != "baseline" // an unknown name on a metric's side: report it as a metric
}

// metricComputed reports whether evaluate computes the named metric.
func (c *checker) metricComputed(id *Ident) (*Metric, bool) {
	m := c.cfg.Catalog.Metric(id.Name)
	if m == nil {
		c.errorf(EUnknownMetric, id, cmpHint(didYouMean(id.Name, c.cfg.Catalog.MetricNames()), "the metrics are "+joinOr(c.cfg.Catalog.MetricNames())),
			"unknown metric %s", id.Name)
		return nil, false
	}
	if ev := c.prog.Evaluate; ev == nil || !slices.Contains(ev.Metrics, id.Name) {
		c.errorf(EMetricNotComp, id, fmt.Sprintf("add it to evaluate: metrics %s", id.Name), "evaluate does not compute %s", id.Name)
		return nil, false
	}
	return m, true
}

// checkCriterionSlice checks that the criterion's slice is one evaluate
// produces: the overall slice, or the one indexed.
func (c *checker) checkCriterionSlice(metric Expr, indices []Expr, cr *Criterion) bool {
	ev := c.prog.Evaluate
	var spec []string
	for _, x := range indices {
		id, ok := x.(*Ident)
		if !ok {
			c.errorf(ECriterion, x, "index a metric by slice features: auc[payment_type]", "%s is not a feature name", ExprString(x))
			return false
		}
		if id.Name != "all" {
			spec = append(spec, id.Name)
		}
	}
	slices.Sort(spec)
	for _, s := range ev.Slices {
		if slices.Equal(s, spec) {
			cr.Slice = spec
			return true
		}
	}
	what := "the overall slice"
	hint := "add `slice all` to evaluate"
	if len(spec) > 0 {
		what = "slice " + strings.Join(spec, ", ")
		hint = "add `slice " + strings.Join(spec, ", ") + "` to evaluate"
	}
	c.errorf(ESliceNotDeclared, metric, hint, "evaluate does not produce %s", what)
	return false
}

// checkBound checks the bound side of a criterion: numbers, baseline
// metrics and arithmetic on them.
func (c *checker) checkBound(x Expr) bool {
	switch x := x.(type) {
	case *BasicLit:
		if x.Kind == IntLit || x.Kind == FloatLit {
			return true
		}
	case *ParenExpr:
		return c.checkBound(x.X)
	case *UnaryExpr:
		if x.Op == "-" {
			return c.checkBound(x.X)
		}
	case *BinaryExpr:
		if strings.Contains("+-*/", x.Op) {
			return c.checkBound(x.X) && c.checkBound(x.Y)
		}
	case *SelectorExpr:
		if base, ok := x.X.(*Ident); ok && base.Name == "baseline" {
			_, computed := c.metricComputed(x.Sel)
			return computed
		}
	}
	c.errorf(ECriterion, x, "a bound is a number or baseline.METRIC, e.g. baseline.auc - 0.01", "%s is not a bound", ExprString(x))
	return false
}
