package lang

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Config configures Check.
type Config struct {
	// Catalog is the standard library. Required.
	Catalog Catalog
	// Schema, when set, is used instead of the schema the file names
	// (`tfxc check --schema FILE`).
	Schema *Schema
	// LoadSchema reads the schema file a pipeline names, with the path
	// resolved against the pipeline file's folder. It returns the schema
	// (nil when it cannot be read) and diagnostics positioned in the schema
	// file or, with a zero Range, to be placed at the schema declaration.
	// Nil means the schema is not loaded and features are not resolved.
	LoadSchema func(path string) (*Schema, Diagnostics)
}

// Check resolves and types a parsed file. It reports every problem it
// finds; the Program is complete only when no diagnostic is an error.
func Check(f *File, cfg *Config) (*Program, Diagnostics) {
	c := &checker{
		cfg:   cfg,
		file:  f,
		prog:  &Program{File: f, Types: map[Expr]Type{}, Excluded: map[string]bool{}},
		names: map[string]*binding{},
		used:  map[string]bool{},
	}
	c.check()
	c.diags.Sort()
	return c.prog, c.diags
}

// binding is a name in scope: a feature, a transform output or the label.
type binding struct {
	kind    string // "feature", "transform", "label"
	typ     Type
	feature *SchemaFeature // for features
	xf      *Transform     // for transforms
	node    Node           // the definition
	order   int            // transforms: index in the block
	deps    []string       // raw features it depends on
}

type checker struct {
	cfg   *Config
	file  *File
	prog  *Program
	diags Diagnostics

	schemaOK bool // features can be resolved
	declared map[string]*FeatureField
	names    map[string]*binding // features, transforms, label
	used     map[string]bool     // names used by something that matters
	path     string              // the current path into the pipeline

	// While checking a transform: its index, to reject forward references.
	current int
}

func (c *checker) errorf(code Code, n Node, hint, format string, args ...any) *Diagnostic {
	return c.report(code, n, hint, fmt.Sprintf(format, args...))
}

func (c *checker) report(code Code, n Node, hint, msg string) *Diagnostic {
	d := &Diagnostic{
		Code:     code,
		Severity: code.Info().Severity,
		Path:     c.path,
		Message:  msg,
		Hint:     hint,
	}
	if n != nil {
		d.Range = Range{File: c.file.Name, Start: n.Pos(), End: n.End()}
	} else {
		d.Range = Range{File: c.file.Name, Start: Pos{Line: 1, Col: 1}, End: Pos{Line: 1, Col: 1}}
	}
	c.diags = append(c.diags, d)
	return d
}

func (c *checker) related(d *Diagnostic, n Node, msg string) {
	d.Related = append(d.Related, Related{Range: Range{File: c.file.Name, Start: n.Pos(), End: n.End()}, Message: msg})
}

// decls groups the file's declarations by kind.
type decls struct {
	pipeline  *PipelineDecl
	schema    *SchemaDecl
	examples  *ExamplesDecl
	features  *FeaturesDecl
	transform *TransformDecl
	label     *LabelDecl
	serving   *ServingDecl
	model     *ModelDecl
	evaluate  *EvaluateDecl
	pushes    []*PushDecl
}

func (c *checker) check() {
	d := c.collect()
	c.path = ""
	if d.pipeline == nil {
		c.errorf(EMissingDecl, nil, "start the file with `pipeline NAME`", "the file has no pipeline declaration")
	} else {
		c.prog.Name = d.pipeline.Name.Name
	}
	if d.schema == nil && c.cfg.Schema == nil {
		c.errorf(EMissingDecl, nil, "add `schema \"schema.pbtxt\"`, or `schema infer` with a features block",
			"the pipeline names no schema")
	}
	if d.examples == nil {
		c.errorf(EMissingDecl, nil, "add `examples csv(\"data.csv\")`", "the pipeline has no examples")
	} else {
		c.checkExamples(d.examples)
	}
	c.loadSchema(d)
	c.checkFeatures(d)
	if d.serving != nil {
		c.checkServing(d.serving)
	}
	if d.transform != nil {
		c.checkTransforms(d.transform, d.label)
	}
	if d.label != nil {
		c.checkLabel(d.label)
	}
	if d.model != nil {
		c.checkModel(d.model)
	}
	if d.evaluate != nil {
		if d.model == nil {
			c.path = "evaluate"
			c.errorf(ENoModel, keywordNode(d.evaluate), "declare a model to evaluate", "evaluate needs a model")
		}
		c.checkEvaluate(d.evaluate)
	}
	for i, p := range d.pushes {
		if d.model == nil && i == 0 {
			c.path = "push"
			c.errorf(ENoModel, keywordNode(p), "declare a model to push", "push needs a model")
		}
		c.checkPush(p, d.pushes[:i])
	}
	c.unused(d)
}

// keywordNode returns a node spanning a declaration's keyword, to point
// at a declaration without underlining all of it.
func keywordNode(d Decl) Node {
	p := d.Pos()
	return Span{From: p, To: Pos{Offset: p.Offset + len(d.Keyword()), Line: p.Line, Col: p.Col + len(d.Keyword())}}
}

func (c *checker) collect() *decls {
	d := &decls{}
	first := map[string]Decl{}
	for _, decl := range c.file.Decls {
		kw := decl.Keyword()
		if prev, dup := first[kw]; dup && kw != "push" {
			c.path = kw
			diag := c.errorf(EDuplicateDecl, keywordNode(decl), "a pipeline has one "+kw+" declaration: merge the two, or delete one",
				"%s is declared more than once", kw)
			c.related(diag, keywordNode(prev), "first declared here")
			continue
		}
		first[kw] = decl
		switch decl := decl.(type) {
		case *PipelineDecl:
			d.pipeline = decl
		case *SchemaDecl:
			d.schema = decl
		case *ExamplesDecl:
			d.examples = decl
		case *FeaturesDecl:
			d.features = decl
		case *TransformDecl:
			d.transform = decl
		case *LabelDecl:
			d.label = decl
		case *ServingDecl:
			d.serving = decl
		case *ModelDecl:
			d.model = decl
		case *EvaluateDecl:
			d.evaluate = decl
		case *PushDecl:
			d.pushes = append(d.pushes, decl)
		}
	}
	return d
}

// loadSchema reads the schema the file names, or takes the configured one.
func (c *checker) loadSchema(d *decls) {
	c.path = "schema"
	switch {
	case c.cfg.Schema != nil:
		c.prog.Schema = c.cfg.Schema
	case d.schema == nil:
		return
	case d.schema.Infer:
		c.prog.InferSchema = true
		return // features come from the declarations
	case c.cfg.LoadSchema == nil:
		return
	default:
		path := d.schema.Path.Value.(string)
		if path == "" {
			c.errorf(ESchemaRead, d.schema.Path, "name the schema file", "the schema path is empty")
			return
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(c.file.Name), path)
		}
		s, diags := c.cfg.LoadSchema(path)
		for _, diag := range diags {
			diag.Path = "schema"
			if diag.Range.File == "" {
				diag.Range = Range{File: c.file.Name, Start: d.schema.Path.Pos(), End: d.schema.Path.End()}
			} else {
				diag.Related = append(diag.Related, Related{
					Range:   Range{File: c.file.Name, Start: d.schema.Path.Pos(), End: d.schema.Path.End()},
					Message: "the schema named here",
				})
			}
			c.diags = append(c.diags, diag)
		}
		c.prog.Schema = s
	}
	if c.prog.Schema != nil {
		c.schemaOK = true
		for _, f := range c.prog.Schema.Features {
			c.names[f.Name] = &binding{kind: "feature", typ: f.Type, feature: f, deps: []string{f.Name}}
		}
	}
}

func (c *checker) checkServing(s *ServingDecl) {
	c.path = "serving"
	seen := map[string]bool{}
	for _, id := range s.Excludes {
		if seen[id.Name] {
			c.errorf(EDuplicateName, id, "name each feature once", "%s is excluded twice", id.Name)
			continue
		}
		seen[id.Name] = true
		if b := c.lookupFeature(id); b != nil {
			c.prog.Excluded[id.Name] = true
		}
	}
}

// lookupFeature resolves a raw feature name, reporting when it is unknown.
func (c *checker) lookupFeature(id *Ident) *binding {
	if b, ok := c.names[id.Name]; ok && b.kind == "feature" {
		c.used[id.Name] = true
		return b
	}
	c.unknownName(id, false)
	return nil
}

// unknownName reports a name that resolves to nothing, unless the schema
// could not be read (then every feature is unknown and saying so is noise).
func (c *checker) unknownName(id *Ident, transforms bool) {
	if !c.schemaOK && !c.prog.InferSchema {
		return
	}
	var candidates []string
	for name, b := range c.names {
		if b.kind == "feature" || (transforms && b.kind == "transform") {
			candidates = append(candidates, name)
		}
	}
	slices.Sort(candidates)
	if c.prog.InferSchema {
		c.errorf(EUndeclared, id, cmpHint(didYouMean(id.Name, candidates),
			"declare it in the features block: the schema is inferred, so tfxc knows only declared features"),
			"feature %s is not declared", id.Name)
		return
	}
	hint := didYouMean(id.Name, candidates)
	if hint == "" && c.cfg.Catalog != nil && c.cfg.Catalog.Metric(id.Name) != nil {
		hint = fmt.Sprintf("%s is a metric; metrics appear only in evaluate and push", id.Name)
	}
	if hint == "" {
		hint = "use a feature of the schema"
		if transforms {
			hint += " or a transform output defined above"
		}
	}
	c.errorf(EUnknownFeature, id, hint, "unknown feature %s", id.Name)
}

func cmpHint(hints ...string) string {
	for _, h := range hints {
		if h != "" {
			return h
		}
	}
	return ""
}

// checkTransforms checks the transform block. The label's name is in scope
// while it does, so a transform that uses the label is told so.
func (c *checker) checkTransforms(t *TransformDecl, label *LabelDecl) {
	// Register every output first, so a reference to a later one can say so.
	for i, a := range t.Assigns {
		c.path = "transform." + a.Name.Name
		if prev, ok := c.names[a.Name.Name]; ok {
			switch prev.kind {
			case "transform":
				diag := c.errorf(EDuplicateName, a.Name, "rename one of them", "%s is defined twice", a.Name.Name)
				c.related(diag, prev.node, "first defined here")
				continue
			case "feature":
				c.errorf(WShadowedName, a.Name, "rename the output, e.g. "+a.Name.Name+"_xf",
					"transform output %s hides the feature of the same name", a.Name.Name)
			}
		}
		xf := &Transform{Name: a.Name.Name, Expr: a.Value, Node: a}
		c.names[a.Name.Name] = &binding{kind: "transform", xf: xf, node: a.Name, order: i, typ: TInvalid}
	}
	if label != nil {
		if _, taken := c.names[label.Name.Name]; !taken {
			c.names[label.Name.Name] = &binding{kind: "label", node: label.Name}
			defer delete(c.names, label.Name.Name) // checkLabel binds it for good
		}
	}
	for i, a := range t.Assigns {
		b := c.names[a.Name.Name]
		if b.kind != "transform" || b.xf.Node != a {
			continue // a duplicate, reported above
		}
		c.path = "transform." + a.Name.Name
		c.current = i
		e := c.newExprChecker()
		typ := e.expr(a.Value)
		b.typ, b.deps = typ, e.featureList()
		b.xf.Type, b.xf.Features, b.xf.Analyzers = typ, b.deps, e.analyzers
		c.prog.Transforms = append(c.prog.Transforms, b.xf)
	}
	c.current = len(t.Assigns)
}

func (c *checker) checkLabel(l *LabelDecl) {
	c.path = "label"
	if prev, ok := c.names[l.Name.Name]; ok {
		diag := c.errorf(EDuplicateName, l.Name, "name the label differently",
			"label %s has the name of a %s", l.Name.Name, prev.kind)
		if prev.node != nil {
			c.related(diag, prev.node, "defined here")
		}
	}
	e := c.newExprChecker()
	typ := e.expr(l.Value)
	label := &Label{Name: l.Name.Name, Expr: l.Value, Type: typ, Features: e.featureList()}
	switch {
	case typ.Kind == Invalid:
	case typ.Optional:
		c.errorf(EOptionalUnfilled, l.Value, "fill the features it uses, e.g. fill(x, 0)",
			"the label may be missing: it is %s", typ)
	case typ.Kind == Bool:
		label.Kind = BinaryLabel
	case typ.IsNumeric():
		label.Kind = RegressionLabel
	case typ.Kind == Category:
		label.Kind = MulticlassLabel
	default:
		c.errorf(ELabelType, l.Value, `compare it to get a binary label: label y = x == "yes"`,
			"a label of type %s cannot be learnt", typ)
	}
	c.prog.Label = label
	if _, taken := c.names[l.Name.Name]; !taken {
		c.names[l.Name.Name] = &binding{kind: "label", typ: typ, node: l.Name, deps: label.Features}
	}
	if label.Kind != 0 && (c.schemaOK || c.prog.InferSchema) { // only for a label that is otherwise fine
		marked := false
		for _, f := range label.Features {
			if c.isExcluded(f) {
				marked = true
			}
		}
		if !marked && len(label.Features) > 0 {
			outcome, name := "the outcome", label.Features[0]
			if len(label.Features) > 1 { // which one is the outcome is for the user to say
				outcome, name = "the outcome ("+joinOr(label.Features)+")", "NAME"
			}
			c.errorf(WUnmarkedLabel, l.Name,
				fmt.Sprintf("mark %s as unknown at serving time: `serving excludes %s`, or not_in_environment: \"SERVING\" in the schema", outcome, name),
				"label %s uses no feature marked absent at serving time, so tfxc cannot catch leaks", l.Name.Name)
		}
	}
}

// isExcluded reports whether a raw feature is absent at serving time.
func (c *checker) isExcluded(name string) bool {
	if c.prog.Excluded[name] {
		return true
	}
	if b, ok := c.names[name]; ok && b.feature != nil {
		return b.feature.ServingAbsent
	}
	return false
}

// unused warns about transforms and declarations nothing uses.
func (c *checker) unused(d *decls) {
	if d.model != nil {
		for _, xf := range c.prog.Transforms {
			if !c.used[xf.Name] {
				c.path = "transform." + xf.Name
				c.errorf(WUnusedTransform, xf.Node.Name, "use it as a model input, or delete it",
					"transform output %s is never used", xf.Name)
			}
		}
	}
	if d.features != nil {
		for _, f := range d.features.Fields {
			if c.declared[f.Name.Name] == f && !c.used[f.Name.Name] {
				c.path = "features." + f.Name.Name
				c.errorf(WUnusedFeatureDecl, f.Name, "delete the declaration", "feature %s is declared but never used", f.Name.Name)
			}
		}
	}
}

// describePath formats a dependency chain for messages: "a ← b ← c".
func describePath(chain []string) string { return strings.Join(chain, " ← ") }
