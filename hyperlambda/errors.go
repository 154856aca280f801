package hyperlambda

import "fmt"

// ErrorKind classifies a syntax error so that callers and tests can match
// on it with errors.As instead of comparing messages.
type ErrorKind uint8

const (
	// ErrIndent: leading spaces that are not a multiple of three.
	ErrIndent ErrorKind = iota + 1
	// ErrIndentJump: a line more than one level deeper than the line above.
	ErrIndentJump
	// ErrNoParent: a line indented below a line that cannot take children
	// (the first line of the input, or a comment line with nothing above it
	// at that level). The reference crashes here.
	ErrNoParent
	// ErrCommentChild: in comment mode, a node indented below a comment.
	ErrCommentChild
	// ErrUnterminatedString: a quoted or verbatim literal without its end.
	ErrUnterminatedString
	// ErrInvalidEscape: a backslash escape outside the allowed list.
	ErrInvalidEscape
	// ErrGarbage: text after a closing quote on the same line.
	ErrGarbage
	// ErrUnterminatedComment: a /* comment without a line ending in */.
	ErrUnterminatedComment
	// ErrUnknownType: a type declaration that names no known type.
	ErrUnknownType
	// ErrConvert: a literal that cannot be converted to its declared type.
	ErrConvert
	// ErrStrayColon: an unquoted value that holds a ':' after a type. The
	// reference silently splits the line into two nodes.
	ErrStrayColon
	// ErrExpression: an `x` literal that is not a valid expression.
	ErrExpression
	// ErrMaxDepth: nesting deeper than ParseOptions.MaxDepth.
	ErrMaxDepth
	// ErrMaxSize: input larger than ParseOptions.MaxSize.
	ErrMaxSize
	// ErrEncoding: input that is not text: a byte that is not UTF-8, or a
	// NUL byte (binary data).
	ErrEncoding
	// ErrMaxNodes: more nodes than ParseOptions.MaxNodes.
	ErrMaxNodes
)

var kindNames = [...]string{
	ErrIndent:              "bad indentation",
	ErrIndentJump:          "indentation jumps more than one level",
	ErrNoParent:            "indented line has no parent",
	ErrCommentChild:        "child of a comment",
	ErrUnterminatedString:  "unterminated string",
	ErrInvalidEscape:       "invalid escape",
	ErrGarbage:             "text after closing quote",
	ErrUnterminatedComment: "unterminated comment",
	ErrUnknownType:         "unknown type",
	ErrConvert:             "bad literal",
	ErrStrayColon:          "unquoted colon in value",
	ErrExpression:          "bad expression",
	ErrMaxDepth:            "too deep",
	ErrMaxSize:             "input too large",
	ErrEncoding:            "not UTF-8 text",
	ErrMaxNodes:            "too many nodes",
}

func (k ErrorKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// SyntaxError is a parse failure at a position in the source.
type SyntaxError struct {
	Pos    Pos // line and column (1-based, columns in code points)
	Offset int // byte offset into the input
	Kind   ErrorKind
	Msg    string // a plain explanation for a person
	Err    error  // the underlying cause, e.g. *ConvertError or *ExprError
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
