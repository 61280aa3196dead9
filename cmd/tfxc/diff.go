package main

import (
	"bytes"
	"fmt"
)

// diffContext is the number of unchanged lines shown around a change.
const diffContext = 3

// maxLCSCells bounds the table of the longest-common-subsequence search.
// A change region larger than that is shown as all its old lines removed
// and all its new lines added: a correct diff, just not a minimal one.
const maxLCSCells = 4 << 20

// op is one line of an edit script: ' ' kept, '-' removed, '+' added.
type op struct {
	kind byte
	a, b int // line indexes in the old and new text (of the line, or where it would be)
}

// unifiedDiff returns the changes from a to b in unified format, with
// headers naming the old and the new file, or nothing when they are equal.
func unifiedDiff(oldName, newName string, a, b []byte) []byte {
	if bytes.Equal(a, b) {
		return nil
	}
	al, bl := splitLines(a), splitLines(b)
	ops := editScript(al, bl)

	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for i := 0; i < len(ops); {
		// Find the next change and the hunk around it.
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-diffContext, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			// A run of kept lines: the hunk ends here unless another change
			// follows within twice the context.
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = run
		}
		writeHunk(&out, ops[start:end], al, bl)
		i = end
	}
	return out.Bytes()
}

func writeHunk(out *bytes.Buffer, ops []op, al, bl [][]byte) {
	var na, nb int
	for _, o := range ops {
		if o.kind != '+' {
			na++
		}
		if o.kind != '-' {
			nb++
		}
	}
	// A range of no lines is numbered by the line before it.
	sa, sb := ops[0].a+1, ops[0].b+1
	if na == 0 {
		sa--
	}
	if nb == 0 {
		sb--
	}
	fmt.Fprintf(out, "@@ -%d,%d +%d,%d @@\n", sa, na, sb, nb)
	for _, o := range ops {
		var line []byte
		if o.kind == '+' {
			line = bl[o.b]
		} else {
			line = al[o.a]
		}
		out.WriteByte(o.kind)
		out.Write(line)
		if !bytes.HasSuffix(line, []byte("\n")) {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// splitLines splits text after each newline; the last line may lack one.
func splitLines(text []byte) [][]byte {
	var lines [][]byte
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, text)
			break
		}
		lines = append(lines, text[:i+1])
		text = text[i+1:]
	}
	return lines
}

// editScript returns a shortest edit script from a to b when the changed
// region is small enough (see maxLCSCells), and a correct one otherwise.
func editScript(a, b [][]byte) []op {
	var ops []op
	// The common prefix and suffix.
	p := 0
	for p < len(a) && p < len(b) && bytes.Equal(a[p], b[p]) {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && bytes.Equal(a[len(a)-1-s], b[len(b)-1-s]) {
		s++
	}
	for i := 0; i < p; i++ {
		ops = append(ops, op{' ', i, i})
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	n, m := len(ma), len(mb)
	if n*m <= maxLCSCells {
		// lcs[i][j] is the length of the longest common subsequence of
		// ma[i:] and mb[j:].
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if bytes.Equal(ma[i], mb[j]) {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && bytes.Equal(ma[i], mb[j]):
				ops = append(ops, op{' ', p + i, p + j})
				i, j = i+1, j+1
			case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
				ops = append(ops, op{'+', p + i, p + j})
				j++
			default:
				ops = append(ops, op{'-', p + i, p + j})
				i++
			}
		}
	} else {
		for i := 0; i < n; i++ {
			ops = append(ops, op{'-', p + i, p})
		}
		for j := 0; j < m; j++ {
			ops = append(ops, op{'+', p + n, p + j})
		}
	}
	for k := 0; k < s; k++ {
		ops = append(ops, op{' ', len(a) - s + k, len(b) - s + k})
	}
	return ops
}
