package parser

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar. Each g* type is a production; Pos and EndPos are
// filled in by participle. The parser converts the result into the lang
// syntax tree (convert.go), so nothing outside this package sees these types.
//
// Statements end at ";", which the lexer also inserts at the end of a line
// whose last token can end a statement (see tokens.go), as Go does.

type gFile struct {
	Items []*gItem `( @@ ";" )*`
}

type gItem struct {
	Pipeline  *gPipeline  `  @@`
	Schema    *gSchema    `| @@`
	Examples  *gExamples  `| @@`
	Features  *gFeatures  `| @@`
	Transform *gTransform `| @@`
	Label     *gLabel     `| @@`
	Serving   *gServing   `| @@`
	Model     *gModel     `| @@`
	Evaluate  *gEvaluate  `| @@`
	Push      *gPush      `| @@`
}

type gIdent struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `@Ident`
}

type gString struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Raw    string `@String`
}

type gPipeline struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `"pipeline" @@`
}

type gSchema struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Path   *gString `"schema" ( @@`
	Infer  bool     `        | @"infer" )`
}

type gExamples struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Format *gIdent    `"examples" @@`
	Args   []*gArg    `"(" ( @@ ( "," @@ )* ","? )? ")"`
	Body   *gSettings `@@?`
}

type gSettings struct {
	Settings []*gSetting `"{" ( @@ ";" )* "}"`
}

type gSetting struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `@@`
	Args   []*gArg `( @@ ( "," @@ )* )?`
}

type gFeatures struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Fields []*gField `"features" "{" ( @@ ";" )* "}"`
}

type gField struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `@@ ":"`
	Type   *gType  `@@`
}

type gType struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Optional bool     `@"optional"?`
	Name     *gIdent  `@@`
	Elem     *gIdent  `( "(" @@ ")" )?`
	Domain   *gDomain `( "in" @@ )?`
}

type gDomain struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Values []*gExpr `  "[" ( @@ ( "," @@ )* ","? )? "]"`
	Lo     *gAdd    `| @@ ".."`
	Hi     *gAdd    `  @@`
}

type gTransform struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Assigns []*gAssign `"transform" "{" ( @@ ";" )* "}"`
}

type gAssign struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `@@ "="`
	Value  *gExpr  `@@`
}

type gLabel struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Assign *gAssign `"label" @@`
}

type gServing struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Excludes []*gIdent `"serving" "excludes" @@ ( "," @@ )*`
}

type gModel struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Family *gIdent    `"model" @@`
	Body   *gSettings `@@`
}

type gEvaluate struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Body   *gSettings `"evaluate" @@`
}

type gPush struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Dest    *gString  `"push" @@`
	Formats []*gIdent `"as" @@ ( "," @@ )*`
	When    *gWhen    `@@?`
}

type gWhen struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Criteria []*gCriterion `"when" "{" ( @@ ";" )* "}"`
}

type gCriterion struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Expr   *gExpr `@@`
}

// Expressions, loosest binding first. Repetition rather than recursion for
// chains of operators keeps the parser's stack shallow on long inputs; only
// brackets nest, and the lexer bounds how deeply (see maxDepth).

type gArg struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `( @@ ":" )?`
	Value  *gExpr  `@@`
}

type gExpr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gAnd    `@@`
	Rest   []*gOrOp `@@*`
}

type gOrOp struct {
	Pos   lexer.Position
	Op    string `@"or"`
	Right *gAnd  `@@`
}

type gAnd struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gNot     `@@`
	Rest   []*gAndOp `@@*`
}

type gAndOp struct {
	Pos   lexer.Position
	Op    string `@"and"`
	Right *gNot  `@@`
}

type gNot struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Nots   []gNotTok `@@*`
	X      *gCmp     `@@`
}

type gNotTok struct {
	Pos lexer.Position
	Op  string `@"not"`
}

type gCmp struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gAdd   `@@`
	Op     *gCmpOp `@@?`
}

type gCmpOp struct {
	Pos   lexer.Position
	Op    string `@("==" | "!=" | "<=" | ">=" | "<" | ">")`
	Right *gAdd  `@@`
}

type gAdd struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gMul     `@@`
	Rest   []*gAddOp `@@*`
}

type gAddOp struct {
	Pos   lexer.Position
	Op    string `@("+" | "-")`
	Right *gMul  `@@`
}

type gMul struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gUnary   `@@`
	Rest   []*gMulOp `@@*`
}

type gMulOp struct {
	Pos   lexer.Position
	Op    string  `@("*" | "/" | "%")`
	Right *gUnary `@@`
}

type gUnary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Negs   []gNeg    `@@*`
	X      *gPostfix `@@`
}

type gNeg struct {
	Pos lexer.Position
	Op  string `@"-"`
}

type gPostfix struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *gPrimary  `@@`
	Suffix []*gSuffix `@@*`
}

type gSuffix struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Sel     *gIdent  `  "." @@`
	Indices []*gExpr `| "[" @@ ( "," @@ )* "]"`
}

type gPrimary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Bool   *string `  @("true" | "false")`
	Call   *gCall  `| @@`
	Ident  *gIdent `| @@`
	Float  *string `| @Float`
	Int    *string `| @Int`
	String *string `| @String`
	Paren  *gExpr  `| "(" @@ ")"`
	List   *gList  `| @@`
}

type gList struct {
	Elems []*gExpr `"[" ( @@ ( "," @@ )* ","? )? "]"`
}

type gCall struct {
	Fun  *gIdent `@@ "("`
	Args []*gArg `( @@ ( "," @@ )* ","? )? ")"`
}
