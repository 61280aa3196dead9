package lang

// Code is a stable diagnostic code: "E" and four digits for errors, "W" and
// four digits for warnings. Codes are never reused for another meaning.
type Code string

// CodeInfo documents a code.
type CodeInfo struct {
	Code     Code
	Name     string   // stable kebab-case name, used to allow or deny warnings
	Severity Severity // default severity
	Summary  string   // one line: what the code means
}

// Info returns the documentation of c. An unknown code gets an empty name.
func (c Code) Info() CodeInfo {
	for _, info := range codeTable {
		if info.Code == c {
			return info
		}
	}
	return CodeInfo{Code: c, Severity: SeverityError}
}

// Codes returns the documentation of every code, in code order.
func Codes() []CodeInfo { return append([]CodeInfo(nil), codeTable...) }

// LookupCode finds a code by its code or its name.
func LookupCode(codeOrName string) (CodeInfo, bool) {
	for _, info := range codeTable {
		if string(info.Code) == codeOrName || info.Name == codeOrName {
			return info, true
		}
	}
	return CodeInfo{}, false
}

// The codes. Groups: E01xx source and syntax, E02xx names, E03xx types,
// E04xx schema, E05xx label and model, E06xx evaluation and push, E07xx
// examples; W00xx warnings.
const (
	ESyntax           Code = "E0100"
	EInvalidToken     Code = "E0101"
	ETooDeep          Code = "E0102"
	ENotUTF8          Code = "E0104"
	EMissingDecl      Code = "E0110"
	EDuplicateDecl    Code = "E0111"
	EUnknownFeature   Code = "E0200"
	EUnknownFunction  Code = "E0201"
	EUnknownOption    Code = "E0202"
	EDuplicateName    Code = "E0203"
	EUnknownMetric    Code = "E0204"
	EUnknownModel     Code = "E0205"
	EUnknownSetting   Code = "E0206"
	EUnknownFormat    Code = "E0207"
	EUnknownInput     Code = "E0208"
	EUsedBeforeDef    Code = "E0209"
	EUnknownSource    Code = "E0211"
	EUnknownType      Code = "E0212"
	EMissingSetting   Code = "E0213"
	EArgType          Code = "E0300"
	EOptionalUnfilled Code = "E0301"
	EArgCount         Code = "E0302"
	EOptionRange      Code = "E0303"
	EOptionType       Code = "E0304"
	EOperandType      Code = "E0305"
	ENotConstant      Code = "E0306"
	EBoundaries       Code = "E0307"
	EDuplicateOption  Code = "E0309"
	EPCADims          Code = "E0310"
	EInputType        Code = "E0312"
	ELabelType        Code = "E0313"
	EOptionConflict   Code = "E0314"
	ENotAnExpression  Code = "E0315"
	ESchemaRead       Code = "E0400"
	ESchemaSyntax     Code = "E0401"
	ESchemaType       Code = "E0402"
	ESchemaDomain     Code = "E0403"
	ECardinality      Code = "E0404"
	ENotInSchema      Code = "E0405"
	EUndeclared       Code = "E0406"
	ELeakage          Code = "E0500"
	ELabelAsInput     Code = "E0501"
	ENoLabel          Code = "E0502"
	EModelLabel       Code = "E0503"
	ENoInputs         Code = "E0505"
	ESliceFloat       Code = "E0600"
	ESliceShape       Code = "E0601"
	EMetricLabel      Code = "E0602"
	EMetricNotComp    Code = "E0603"
	ESliceNotDeclared Code = "E0604"
	ECriterion        Code = "E0605"
	EUnsatisfiable    Code = "E0606"
	ENoModel          Code = "E0607"
	EDuplicateDest    Code = "E0611"
	ESplit            Code = "E0700"
	ESplitMissing     Code = "E0701"
	ESource           Code = "E0702"

	WUnusedTransform   Code = "W0001"
	WShadowedName      Code = "W0002"
	WUnmarkedLabel     Code = "W0003"
	WOversized         Code = "W0004"
	WUnboundedVocab    Code = "W0005"
	WUnknownSchemaFld  Code = "W0006"
	WUnconditionalPush Code = "W0007"
	WFloatEquality     Code = "W0008"
	WUnusedFeatureDecl Code = "W0009"
)

var codeTable = []CodeInfo{
	{ESyntax, "syntax", SeverityError, "the text does not follow the grammar"},
	{EInvalidToken, "invalid-token", SeverityError, "a character or literal that the language does not have"},
	{ETooDeep, "too-large", SeverityError, "a file too large, an expression nested too deeply or a statement too long to be sensible"},
	{ENotUTF8, "not-utf8", SeverityError, "the file is not UTF-8 text"},
	{EMissingDecl, "missing-declaration", SeverityError, "a declaration that every pipeline needs is absent"},
	{EDuplicateDecl, "duplicate-declaration", SeverityError, "a declaration that may appear once appears twice"},
	{EUnknownFeature, "unknown-feature", SeverityError, "a name that is neither a feature of the schema nor a transform output"},
	{EUnknownFunction, "unknown-function", SeverityError, "a call of a function that the standard library does not have"},
	{EUnknownOption, "unknown-option", SeverityError, "a named argument that the function does not take"},
	{EDuplicateName, "duplicate-name", SeverityError, "a name defined twice"},
	{EUnknownMetric, "unknown-metric", SeverityError, "a metric that the standard library does not have"},
	{EUnknownModel, "unknown-model", SeverityError, "a model family that the standard library does not have"},
	{EUnknownSetting, "unknown-setting", SeverityError, "a setting that the block does not have"},
	{EUnknownFormat, "unknown-format", SeverityError, "a push format that tfxc cannot write"},
	{EUnknownInput, "unknown-input", SeverityError, "a model input that names no transform output or feature"},
	{EUsedBeforeDef, "used-before-definition", SeverityError, "a transform output used above the line that defines it"},
	{EUnknownSource, "unknown-source", SeverityError, "an examples source format that tfxc cannot read"},
	{EUnknownType, "unknown-type", SeverityError, "a declared type that the language does not have"},
	{EMissingSetting, "missing-setting", SeverityError, "a setting that the block needs is absent"},
	{EArgType, "argument-type", SeverityError, "an argument of the wrong type"},
	{EOptionalUnfilled, "optional-unfilled", SeverityError, "an optional feature used where a value is needed, without fill"},
	{EArgCount, "argument-count", SeverityError, "too many or too few arguments"},
	{EOptionRange, "option-range", SeverityError, "an option or argument outside its allowed range"},
	{EOptionType, "option-type", SeverityError, "an option or setting of the wrong type"},
	{EOperandType, "operand-type", SeverityError, "an operator applied to operands it does not take"},
	{ENotConstant, "not-constant", SeverityError, "an argument that must be a constant is an expression of the data"},
	{EBoundaries, "bucket-boundaries", SeverityError, "bucket boundaries that are not strictly increasing"},
	{EDuplicateOption, "duplicate-argument", SeverityError, "an argument given twice, or a positional argument after a named one"},
	{EPCADims, "pca-dimensions", SeverityError, "more PCA components than input dimensions"},
	{EInputType, "input-type", SeverityError, "a model input of a type the model cannot take"},
	{ELabelType, "label-type", SeverityError, "a label of a type no model can learn"},
	{EOptionConflict, "option-conflict", SeverityError, "options that contradict each other"},
	{ENotAnExpression, "not-an-expression", SeverityError, "a name of a metric, model or keyword used as a value"},
	{ESchemaRead, "schema-unreadable", SeverityError, "the schema file cannot be read"},
	{ESchemaSyntax, "schema-invalid", SeverityError, "the schema file is not a valid text-format TensorFlow Metadata Schema"},
	{ESchemaType, "schema-type-mismatch", SeverityError, "a declared type that contradicts the schema"},
	{ESchemaDomain, "schema-domain-mismatch", SeverityError, "a declared domain that contradicts the schema"},
	{ECardinality, "cardinality-too-small", SeverityError, "a categorical cardinality below the schema's int domain"},
	{ENotInSchema, "not-in-schema", SeverityError, "a declared feature that the schema does not have"},
	{EUndeclared, "undeclared-feature", SeverityError, "a feature used while the schema is inferred, without a declaration"},
	{ELeakage, "label-leakage", SeverityError, "a model input that depends on a feature absent at serving time"},
	{ELabelAsInput, "label-as-input", SeverityError, "the label used as a model input or in a transform"},
	{ENoLabel, "no-label", SeverityError, "a model without a label"},
	{EModelLabel, "model-label-mismatch", SeverityError, "a model family that cannot learn the label's type"},
	{ENoInputs, "no-inputs", SeverityError, "a model without inputs"},
	{ESliceFloat, "slice-on-float", SeverityError, "a slice on a float feature"},
	{ESliceShape, "slice-shape", SeverityError, "a slice on a feature that is not a single value"},
	{EMetricLabel, "metric-label-mismatch", SeverityError, "a metric that does not fit the label's type"},
	{EMetricNotComp, "metric-not-computed", SeverityError, "a push criterion on a metric that evaluate does not compute"},
	{ESliceNotDeclared, "slice-not-declared", SeverityError, "a criterion on a slice that evaluate does not produce"},
	{ECriterion, "bad-criterion", SeverityError, "a push criterion that is not a comparison of a metric with a bound"},
	{EUnsatisfiable, "unsatisfiable-criterion", SeverityError, "a push criterion that no model can meet"},
	{ENoModel, "no-model", SeverityError, "evaluate or push without a model"},
	{EDuplicateDest, "bad-destination", SeverityError, "an empty push destination, two pushes to one destination, or one format twice"},
	{ESplit, "bad-split", SeverityError, "a split with a weight that is not a positive integer"},
	{ESplitMissing, "missing-split", SeverityError, "the examples lack a train or an eval split"},
	{ESource, "bad-source", SeverityError, "an examples source without a usable path"},

	{WUnusedTransform, "unused-transform", SeverityWarning, "a transform output that nothing uses"},
	{WShadowedName, "shadowed-name", SeverityWarning, "a transform output named like a feature, which it hides"},
	{WUnmarkedLabel, "unmarked-label", SeverityWarning, "a label that uses no feature marked absent at serving time"},
	{WOversized, "oversized-category", SeverityWarning, "a categorical cardinality far above what the schema's domain needs"},
	{WUnboundedVocab, "unbounded-vocabulary", SeverityWarning, "a vocabulary without top_k on a feature of unbounded cardinality"},
	{WUnknownSchemaFld, "unknown-schema-field", SeverityWarning, "a schema field that tfxc does not understand and ignores"},
	{WUnconditionalPush, "unconditional-push", SeverityWarning, "a push without criteria, which pushes every model"},
	{WFloatEquality, "float-equality", SeverityWarning, "== or != on floats"},
	{WUnusedFeatureDecl, "unused-declaration", SeverityWarning, "a declared feature that nothing uses"},
}
