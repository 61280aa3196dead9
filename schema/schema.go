// Package schema reads TensorFlow Metadata (TFMD) schemas written in protobuf
// text format (the schema.pbtxt files of TFDV) into the types of package
// github.com/tfxc/tfxc/pb/tfmd, remembering where each feature is declared.
//
// Loading never fails because of a field that tfxc's copy of the TFMD protos
// does not define: such a field is reported as an Issue and ignored. Syntax
// errors, bad enum values, duplicate feature names and references to domains
// that do not exist are errors, each of type *Error with a file position.
package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/tfxc/tfxc/pb/tfmd"
)

// Schema is a loaded TFMD schema: the message itself and indexes over it.
// A Schema must not be modified after loading; its helpers read the indexes
// built then.
type Schema struct {
	// Proto is the schema as read.
	Proto *tfmd.Schema

	file     string
	features map[string]*tfmd.Feature // top-level features by name
	pos      map[*tfmd.Feature]Position
	strDom   map[string]*tfmd.StringDomain
	intDom   map[string]*tfmd.IntDomain
	floatDom map[string]*tfmd.FloatDomain
}

// Load reads and parses the text-format schema in the file at path.
func Load(path string) (*Schema, []Issue, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, &Error{File: path, Msg: "cannot read schema: " + reason(err), Err: err}
	}
	if fi.IsDir() {
		return nil, nil, &Error{File: path, Msg: "cannot read schema: is a directory, not a schema.pbtxt file"}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, &Error{File: path, Msg: "cannot read schema: " + reason(err), Err: err}
	}
	return Parse(path, src)
}

// reason returns the cause of a file-system error without the path that
// Error already shows.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse parses a text-format TFMD schema. filename is used only in
// positions. It returns the warnings (such as unknown fields, which are
// ignored) even when it also returns an error; the error is an *Error, or
// several *Error joined by errors.Join when the schema has several
// semantic problems.
func Parse(filename string, src []byte) (*Schema, []Issue, error) {
	sc := newScanner(filename, src)
	if off := binaryAt(src); off >= 0 {
		return nil, nil, sc.errAt(off, "byte 0x%02x is not text: this file looks binary (a serialized proto?), but a schema must be in protobuf text format", src[off])
	}
	md := (&tfmd.Schema{}).ProtoReflect().Descriptor()
	if err := sc.message(md, "", 0, 0, 0); err != nil {
		return nil, sc.issues, err
	}
	if sc.topKnown == 0 && sc.topUnknown > 0 {
		return nil, sc.issues, sc.errAt(sc.firstTop,
			"no top-level field belongs to a TFMD Schema (found %s): is this a schema.pbtxt?", strings.Join(sc.topNames, ", "))
	}
	pb := &tfmd.Schema{}
	if err := prototext.Unmarshal(sc.text(), pb); err != nil {
		return nil, sc.issues, sc.protoError(err)
	}
	s, errs := build(sc, pb)
	if len(errs) > 0 {
		return nil, sc.issues, errors.Join(errs...)
	}
	if len(pb.Feature)+len(pb.SparseFeature)+len(pb.WeightedFeature) == 0 {
		sc.issues = append(sc.issues, Issue{File: filename, Line: 1, Col: 1, Msg: "the schema declares no features"})
	}
	return s, sc.issues, nil
}

// binaryAt returns the offset of the first NUL byte or invalid UTF-8
// sequence, or -1.
func binaryAt(src []byte) int {
	for i := 0; i < len(src); {
		c := src[i]
		if c == 0 {
			return i
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// protoError turns an error of prototext, whose text holds "(line L:C)"
// with C counted in runes, into an *Error.
func (sc *scanner) protoError(err error) *Error {
	msg := err.Error()
	i := strings.Index(msg, "(line ")
	if i < 0 {
		// Such as "unexpected EOF": place it at the end of the input.
		if j := strings.Index(msg, ": "); j >= 0 && strings.HasPrefix(msg, "proto") {
			msg = msg[j+2:]
		}
		return &Error{File: sc.file, Msg: msg, Err: err}
	}
	rest := msg[i+len("(line "):]
	j := strings.Index(rest, "): ")
	if j < 0 {
		return &Error{File: sc.file, Msg: msg, Err: err}
	}
	lc := strings.SplitN(rest[:j], ":", 2)
	line, _ := strconv.Atoi(lc[0])
	col := 0
	if len(lc) == 2 {
		col, _ = strconv.Atoi(lc[1])
	}
	text := rest[j+3:]
	if strings.Contains(msg[:i], "syntax error") {
		text = "syntax error: " + text
	}
	p := sc.posRune(line, col)
	return &Error{File: p.File, Line: p.Line, Col: p.Col, Msg: text, Err: err}
}

// build indexes a parsed schema and checks what text format cannot:
// feature names are present and unique, domain names are unique, and every
// domain reference resolves.
func build(sc *scanner, pb *tfmd.Schema) (*Schema, []error) {
	s := &Schema{
		Proto:    pb,
		file:     sc.file,
		features: make(map[string]*tfmd.Feature, len(pb.Feature)),
		pos:      make(map[*tfmd.Feature]Position),
		strDom:   make(map[string]*tfmd.StringDomain),
		intDom:   make(map[string]*tfmd.IntDomain),
		floatDom: make(map[string]*tfmd.FloatDomain),
	}
	var errs []error
	at := func(path string) Position {
		if off, ok := sc.marks[path+".name"]; ok {
			return sc.pos(off)
		}
		if off, ok := sc.marks[path]; ok {
			return sc.pos(off)
		}
		return Position{File: sc.file}
	}
	// Top-level domains, by name.
	domains := func(kind string, n int, name func(int) string, add func(int)) {
		first := make(map[string]Position)
		for i := 0; i < n; i++ {
			nm := name(i)
			p := at(fmt.Sprintf("%s[%d]", kind, i))
			if q, dup := first[nm]; dup {
				errs = append(errs, errorf(p, "duplicate %s name %q (first declared at %d:%d)", kind, nm, q.Line, q.Col))
				continue
			}
			first[nm] = p
			add(i)
		}
	}
	domains("string_domain", len(pb.StringDomain), func(i int) string { return pb.StringDomain[i].GetName() },
		func(i int) { s.strDom[pb.StringDomain[i].GetName()] = pb.StringDomain[i] })
	domains("int_domain", len(pb.IntDomain), func(i int) string { return pb.IntDomain[i].GetName() },
		func(i int) { s.intDom[pb.IntDomain[i].GetName()] = pb.IntDomain[i] })
	domains("float_domain", len(pb.FloatDomain), func(i int) string { return pb.FloatDomain[i].GetName() },
		func(i int) { s.floatDom[pb.FloatDomain[i].GetName()] = pb.FloatDomain[i] })

	// Features, recursively through struct domains.
	var walk func(feats []*tfmd.Feature, prefix string, top bool)
	walk = func(feats []*tfmd.Feature, prefix string, top bool) {
		seen := make(map[string]*tfmd.Feature, len(feats))
		for i, f := range feats {
			path := fmt.Sprintf("%s[%d]", prefix, i)
			p := at(path)
			s.pos[f] = p
			if f.Name == nil {
				errs = append(errs, errorf(p, "%s has no name", path))
			} else if g, dup := seen[f.GetName()]; dup {
				q := s.pos[g]
				errs = append(errs, errorf(p, "duplicate feature name %q (first declared at %d:%d)", f.GetName(), q.Line, q.Col))
			} else {
				seen[f.GetName()] = f
			}
			if d, ok := f.GetDomainInfo().(*tfmd.Feature_Domain); ok {
				if !s.hasDomain(d.Domain) {
					dp := p
					if off, ok := sc.marks[path+".domain"]; ok {
						dp = sc.pos(off)
					}
					errs = append(errs, errorf(dp, "feature %q refers to domain %q, which the schema does not declare (no top-level string_domain, int_domain or float_domain has that name)", f.GetName(), d.Domain))
				}
			}
			if sd := f.GetStructDomain(); sd != nil {
				walk(sd.Feature, path+".struct_domain.feature", false)
			}
		}
		if top {
			s.features = seen
		}
	}
	walk(pb.Feature, "feature", true)
	slices.SortStableFunc(errs, func(a, b error) int {
		x, y := a.(*Error), b.(*Error)
		if x.Line != y.Line {
			return x.Line - y.Line
		}
		return x.Col - y.Col
	})
	return s, errs
}

func (s *Schema) hasDomain(name string) bool {
	return s.strDom[name] != nil || s.intDom[name] != nil || s.floatDom[name] != nil
}

// File returns the file name the schema was parsed under.
func (s *Schema) File() string { return s.file }

// Feature returns the top-level feature with the given name, or nil.
func (s *Schema) Feature(name string) *tfmd.Feature { return s.features[name] }

// Pos returns where feature f is declared: its name field, or the opening
// of the feature when it has no name. f may be nested in a struct domain.
// The zero Position is returned for a feature that is not from this file.
func (s *Schema) Pos(f *tfmd.Feature) Position { return s.pos[f] }

// StringDomain returns the string domain of feature f: the one written
// inline, or the top-level string_domain named by f's domain field. It
// returns nil if f has neither.
func (s *Schema) StringDomain(f *tfmd.Feature) *tfmd.StringDomain {
	if d := f.GetStringDomain(); d != nil {
		return d
	}
	if d, ok := f.GetDomainInfo().(*tfmd.Feature_Domain); ok {
		return s.strDom[d.Domain]
	}
	return nil
}

// IntDomain returns the int domain of feature f, inline or referenced by
// name, or nil.
func (s *Schema) IntDomain(f *tfmd.Feature) *tfmd.IntDomain {
	if d := f.GetIntDomain(); d != nil {
		return d
	}
	if d, ok := f.GetDomainInfo().(*tfmd.Feature_Domain); ok {
		return s.intDom[d.Domain]
	}
	return nil
}

// FloatDomain returns the float domain of feature f, inline or referenced
// by name, or nil.
func (s *Schema) FloatDomain(f *tfmd.Feature) *tfmd.FloatDomain {
	if d := f.GetFloatDomain(); d != nil {
		return d
	}
	if d, ok := f.GetDomainInfo().(*tfmd.Feature_Domain); ok {
		return s.floatDom[d.Domain]
	}
	return nil
}

// InEnvironment reports whether feature f is expected in environment env,
// as TFDV decides it: every feature is in the empty environment; otherwise
// f is in env if f's in_environment lists it, is not if f's
// not_in_environment lists it, and else is exactly when the schema's
// default_environment lists it. So in a schema without default
// environments, a feature is only in the environments its in_environment
// names.
func (s *Schema) InEnvironment(f *tfmd.Feature, env string) bool {
	return FeatureInEnvironment(s.Proto, f, env)
}

// FeatureInEnvironment is InEnvironment for a schema proto, for readers of
// schemas that did not come through Load.
func FeatureInEnvironment(s *tfmd.Schema, f *tfmd.Feature, env string) bool {
	switch {
	case env == "":
		return true
	case slices.Contains(f.GetInEnvironment(), env):
		return true
	case slices.Contains(f.GetNotInEnvironment(), env):
		return false
	}
	return slices.Contains(s.GetDefaultEnvironment(), env)
}

// Environments returns, sorted and without duplicates, every environment
// the schema names: its default environments and those of its top-level
// features.
func (s *Schema) Environments() []string {
	envs := slices.Clone(s.Proto.GetDefaultEnvironment())
	for _, f := range s.Proto.GetFeature() {
		envs = append(envs, f.GetInEnvironment()...)
		envs = append(envs, f.GetNotInEnvironment()...)
	}
	slices.Sort(envs)
	return slices.Compact(envs)
}
