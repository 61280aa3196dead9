package diagfmt

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/tfxc/tfxc/lang"
)

// SARIF identifiers.
const (
	// SARIFSchema is the $schema of the logs SARIF writes.
	SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"
	// SARIFVersion is the version of SARIF that SARIF writes.
	SARIFVersion = "2.1.0"
	// ToolURI is the home of tfxc, SARIF's tool.driver.informationUri.
	ToolURI = "https://github.com/tfxc/tfxc"
	// DocsURI is the page that documents every diagnostic code; a rule's
	// helpUri is DocsURI + "#" + the lower-case code.
	DocsURI = ToolURI + "/blob/main/docs/diagnostics.md"
	// SrcRoot is the uriBaseId of relative artifact locations: the folder
	// tfxc ran in, which a SARIF consumer maps to the repository root.
	SrcRoot = "%SRCROOT%"
)

// SARIFLog is the top-level object of a SARIF 2.1.0 file. The types
// SARIF* hold the part of the format that tfxc writes; encoding/json
// decodes any SARIF file into them, dropping what they do not hold.
type SARIFLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []SARIFRun `json:"runs"`
}

// SARIFRun is one run of a tool.
type SARIFRun struct {
	Tool       SARIFTool     `json:"tool"`
	ColumnKind string        `json:"columnKind,omitempty"` // "unicodeCodePoints"
	Results    []SARIFResult `json:"results"`
}

// SARIFTool describes the tool that made a run.
type SARIFTool struct {
	Driver SARIFDriver `json:"driver"`
}

// SARIFDriver is the tool's main component and its rules.
type SARIFDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []SARIFRule `json:"rules"`
}

// SARIFRule describes one diagnostic code.
type SARIFRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *SARIFMessage      `json:"shortDescription,omitempty"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration *SARIFRuleDefaults `json:"defaultConfiguration,omitempty"`
}

// SARIFRuleDefaults is a rule's defaultConfiguration.
type SARIFRuleDefaults struct {
	Level string `json:"level"` // "error", "warning" or "note"
}

// SARIFMessage is a plain-text message.
type SARIFMessage struct {
	Text string `json:"text"`
}

// SARIFResult is one diagnostic.
type SARIFResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        *int            `json:"ruleIndex,omitempty"` // absent for a code tfxc does not know
	Level            string          `json:"level"`
	Message          SARIFMessage    `json:"message"`
	Locations        []SARIFLocation `json:"locations"`
	RelatedLocations []SARIFLocation `json:"relatedLocations,omitempty"`
}

// SARIFLocation is a place in a file, with a logical location (the
// diagnostic's pipeline path) and a message for related locations.
type SARIFLocation struct {
	ID               *int                   `json:"id,omitempty"`
	PhysicalLocation *SARIFPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []SARIFLogicalLocation `json:"logicalLocations,omitempty"`
	Message          *SARIFMessage          `json:"message,omitempty"`
}

// SARIFPhysicalLocation is a region of an artifact.
type SARIFPhysicalLocation struct {
	ArtifactLocation SARIFArtifactLocation `json:"artifactLocation"`
	Region           *SARIFRegion          `json:"region,omitempty"`
}

// SARIFArtifactLocation names a file: a relative URI reference with
// uriBaseId SrcRoot, or an absolute file: URI.
type SARIFArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// SARIFRegion is a span of text; columns count Unicode code points and
// endColumn is the column just after the span.
type SARIFRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// SARIFLogicalLocation is a place in the pipeline, such as
// "transform.fare_xf".
type SARIFLogicalLocation struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
}

// SARIFLevel returns the SARIF level of a severity.
func SARIFLevel(s lang.Severity) string {
	switch s {
	case lang.SeverityError:
		return "error"
	case lang.SeverityWarning:
		return "warning"
	}
	return "note"
}

// HelpURI returns the documentation address of a code.
func HelpURI(c lang.Code) string { return DocsURI + "#" + strings.ToLower(string(c)) }

// SARIFRules returns one rule for every code of lang.Codes(), in its order.
func SARIFRules() []SARIFRule {
	codes := lang.Codes()
	rules := make([]SARIFRule, 0, len(codes))
	for _, info := range codes {
		rules = append(rules, SARIFRule{
			ID:                   string(info.Code),
			Name:                 info.Name,
			ShortDescription:     &SARIFMessage{Text: info.Summary},
			HelpURI:              HelpURI(info.Code),
			DefaultConfiguration: &SARIFRuleDefaults{Level: SARIFLevel(info.Severity)},
		})
	}
	return rules
}

// NewSARIFLog builds the SARIF log of ds: one run whose driver has a rule
// for every code, and a result for every diagnostic.
func NewSARIFLog(ds lang.Diagnostics, toolVersion string) *SARIFLog {
	rules := SARIFRules()
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
	}
	results := []SARIFResult{}
	for _, d := range ds {
		if d == nil {
			continue
		}
		res := SARIFResult{
			RuleID:    string(d.Code),
			Level:     SARIFLevel(d.Severity),
			Message:   SARIFMessage{Text: d.Message},
			Locations: []SARIFLocation{},
		}
		if i, ok := index[string(d.Code)]; ok {
			res.RuleIndex = &i
		}
		if d.Hint != "" {
			res.Message.Text += " — hint: " + d.Hint
		}
		loc := SARIFLocation{PhysicalLocation: physical(d.Range)}
		if d.Path != "" {
			loc.LogicalLocations = []SARIFLogicalLocation{{FullyQualifiedName: d.Path}}
		}
		if loc.PhysicalLocation != nil || loc.LogicalLocations != nil {
			res.Locations = append(res.Locations, loc)
		}
		for i, r := range d.Related {
			rr := r.Range
			if rr.File == "" {
				rr.File = d.Range.File
			}
			id := i
			res.RelatedLocations = append(res.RelatedLocations, SARIFLocation{
				ID:               &id,
				PhysicalLocation: physical(rr),
				Message:          &SARIFMessage{Text: r.Message},
			})
		}
		results = append(results, res)
	}
	return &SARIFLog{
		Schema:  SARIFSchema,
		Version: SARIFVersion,
		Runs: []SARIFRun{{
			Tool: SARIFTool{Driver: SARIFDriver{
				Name:           "tfxc",
				Version:        toolVersion,
				InformationURI: ToolURI,
				Rules:          rules,
			}},
			ColumnKind: "unicodeCodePoints",
			Results:    results,
		}},
	}
}

// SARIF writes ds as a SARIF 2.1.0 log (see NewSARIFLog), indented.
func SARIF(w io.Writer, ds lang.Diagnostics, toolVersion string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(NewSARIFLog(ds, toolVersion))
}

// physical returns the physical location of r, or nil when r names no
// file. An invalid start is line 1, column 1; an end that is invalid or
// before the start is the start.
func physical(r lang.Range) *SARIFPhysicalLocation {
	if r.File == "" {
		return nil
	}
	start, end := r.Start, r.End
	if !start.IsValid() || start.Col < 1 {
		start = lang.Pos{Line: 1, Col: 1}
		end = start
	}
	if !end.IsValid() || end.Col < 1 || end.Line < start.Line || (end.Line == start.Line && end.Col < start.Col) {
		end = start
	}
	return &SARIFPhysicalLocation{
		ArtifactLocation: artifact(r.File),
		Region: &SARIFRegion{
			StartLine:   start.Line,
			StartColumn: start.Col,
			EndLine:     end.Line,
			EndColumn:   end.Col,
		},
	}
}

// artifact returns the location of a file: a relative path becomes a URI
// reference with forward slashes relative to SrcRoot, an absolute path a
// file: URI.
func artifact(file string) SARIFArtifactLocation {
	if filepath.IsAbs(file) {
		p := filepath.ToSlash(file)
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive: file:///C:/...
		}
		return SARIFArtifactLocation{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	p := filepath.ToSlash(filepath.Clean(file))
	return SARIFArtifactLocation{URI: (&url.URL{Path: p}).String(), URIBaseID: SrcRoot}
}
