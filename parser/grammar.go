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
	Items []*gItem `parser:"( @@ ';' )*"`
}

type gItem struct {
	Pipeline  *gPipeline  `parser:"  @@"`
	Schema    *gSchema    `parser:"| @@"`
	Examples  *gExamples  `parser:"| @@"`
	Features  *gFeatures  `parser:"| @@"`
	Transform *gTransform `parser:"| @@"`
	Label     *gLabel     `parser:"| @@"`
	Serving   *gServing   `parser:"| @@"`
	Model     *gModel     `parser:"| @@"`
	Evaluate  *gEvaluate  `parser:"| @@"`
	Push      *gPush      `parser:"| @@"`
}

type gIdent struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `parser:"@Ident"`
}

type gString struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Raw    string `parser:"@String"`
}

type gPipeline struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `parser:"'pipeline' @@"`
}

type gSchema struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Path   *gString `parser:"'schema' ( @@"`
	Infer  bool     `parser:"        | @'infer' )"`
}

type gExamples struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Format *gIdent    `parser:"'examples' @@"`
	Args   []*gArg    `parser:"'(' ( @@ ( ',' @@ )* ','? )? ')'"`
	Body   *gSettings `parser:"@@?"`
}

type gSettings struct {
	Settings []*gSetting `parser:"'{' ( @@ ';' )* '}'"`
}

type gSetting struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `parser:"@@"`
	Args   []*gArg `parser:"( @@ ( ',' @@ )* )?"`
}

type gFeatures struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Fields []*gField `parser:"'features' '{' ( @@ ';' )* '}'"`
}

type gField struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `parser:"@@ ':'"`
	Type   *gType  `parser:"@@"`
}

type gType struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Optional bool     `parser:"@'optional'?"`
	Name     *gIdent  `parser:"@@"`
	Elem     *gIdent  `parser:"( '(' @@"`
	Len      *string  `parser:"  ( ',' @Int )? ')' )?"`
	Domain   *gDomain `parser:"( 'in' @@ )?"`
}

type gDomain struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Values []*gExpr `parser:"  '[' ( @@ ( ',' @@ )* ','? )? ']'"`
	Lo     *gAdd    `parser:"| @@ '..'"`
	Hi     *gAdd    `parser:"  @@"`
}

type gTransform struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Assigns []*gAssign `parser:"'transform' '{' ( @@ ';' )* '}'"`
}

type gAssign struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `parser:"@@ '='"`
	Value  *gExpr  `parser:"@@"`
}

type gLabel struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Assign *gAssign `parser:"'label' @@"`
}

type gServing struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Excludes []*gIdent `parser:"'serving' 'excludes' @@ ( ',' @@ )*"`
}

type gModel struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Family *gIdent    `parser:"'model' @@"`
	Body   *gSettings `parser:"@@"`
}

type gEvaluate struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Body   *gSettings `parser:"'evaluate' @@"`
}

type gPush struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Dest    *gString  `parser:"'push' @@"`
	Formats []*gIdent `parser:"'as' @@ ( ',' @@ )*"`
	When    *gWhen    `parser:"@@?"`
}

type gWhen struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Criteria []*gCriterion `parser:"'when' '{' ( @@ ';' )* '}'"`
}

type gCriterion struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Expr   *gExpr `parser:"@@"`
}

// Expressions, loosest binding first. Repetition rather than recursion for
// chains of operators keeps the parser's stack shallow on long inputs; only
// brackets nest, and the lexer bounds how deeply (see maxDepth).

type gArg struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gIdent `parser:"( @@ ':' )?"`
	Value  *gExpr  `parser:"@@"`
}

type gExpr struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gAnd    `parser:"@@"`
	Rest   []*gOrOp `parser:"@@*"`
}

type gOrOp struct {
	Pos   lexer.Position
	Op    string `parser:"@'or'"`
	Right *gAnd  `parser:"@@"`
}

type gAnd struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gNot     `parser:"@@"`
	Rest   []*gAndOp `parser:"@@*"`
}

type gAndOp struct {
	Pos   lexer.Position
	Op    string `parser:"@'and'"`
	Right *gNot  `parser:"@@"`
}

type gNot struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Nots   []gNotTok `parser:"@@*"`
	X      *gCmp     `parser:"@@"`
}

type gNotTok struct {
	Pos lexer.Position
	Op  string `parser:"@'not'"`
}

type gCmp struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gAdd   `parser:"@@"`
	Op     *gCmpOp `parser:"@@?"`
}

type gCmpOp struct {
	Pos   lexer.Position
	Op    string `parser:"@('==' | '!=' | '<=' | '>=' | '<' | '>')"`
	Right *gAdd  `parser:"@@"`
}

type gAdd struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gMul     `parser:"@@"`
	Rest   []*gAddOp `parser:"@@*"`
}

type gAddOp struct {
	Pos   lexer.Position
	Op    string `parser:"@('+' | '-')"`
	Right *gMul  `parser:"@@"`
}

type gMul struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *gUnary   `parser:"@@"`
	Rest   []*gMulOp `parser:"@@*"`
}

type gMulOp struct {
	Pos   lexer.Position
	Op    string  `parser:"@('*' | '/' | '%')"`
	Right *gUnary `parser:"@@"`
}

type gUnary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Negs   []gNeg    `parser:"@@*"`
	X      *gPostfix `parser:"@@"`
}

type gNeg struct {
	Pos lexer.Position
	Op  string `parser:"@'-'"`
}

type gPostfix struct {
	Pos    lexer.Position
	EndPos lexer.Position
	X      *gPrimary  `parser:"@@"`
	Suffix []*gSuffix `parser:"@@*"`
}

type gSuffix struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Sel     *gIdent  `parser:"  '.' @@"`
	Indices []*gExpr `parser:"| '[' @@ ( ',' @@ )* ']'"`
}

type gPrimary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Bool   *string `parser:"  @('true' | 'false')"`
	Call   *gCall  `parser:"| @@"`
	Ident  *gIdent `parser:"| @@"`
	Float  *string `parser:"| @Float"`
	Int    *string `parser:"| @Int"`
	String *string `parser:"| @String"`
	Paren  *gExpr  `parser:"| '(' @@ ')'"`
	List   *gList  `parser:"| @@"`
}

type gList struct {
	Elems []*gExpr `parser:"'[' ( @@ ( ',' @@ )* ','? )? ']'"`
}

type gCall struct {
	Fun  *gIdent `parser:"@@ '('"`
	Args []*gArg `parser:"( @@ ( ',' @@ )* ','? )? ')'"`
}
