#!/usr/bin/env bash
# Regenerates the Go code of tfxc's protobuf packages:
#   pb/tfmd  from the TFMD .proto files kept in pb/tfmd (tfxc's own copies);
#   pb/tf    (Go package tfpb) from TensorFlow's .proto files for GraphDef,
#            SavedModel, OpDef and tf.Example, taken from the Go module cache
#            (the module is downloaded, not required by go.mod) with their
#            comments stripped, so the committed code is machine output only.
# Installs protoc (Debian's protobuf-compiler) and protoc-gen-go (the version
# that go.mod requires) when they are missing. Safe to run again and again:
# the output depends only on the .proto inputs and the tool versions.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
module="github.com/tfxc/tfxc"

# as_root runs a command as root (directly, or through sudo when not root).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# protoc plus the well-known types (google/protobuf/*.proto).
wkt_dir=/usr/include
if ! command -v protoc >/dev/null 2>&1 || [ ! -f "$wkt_dir/google/protobuf/any.proto" ]; then
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler libprotobuf-dev
fi

# protoc-gen-go, at the version of google.golang.org/protobuf in go.mod, so
# the generated code matches the runtime it is compiled against.
pb_version="$(go list -m -f '{{.Version}}' google.golang.org/protobuf)"
gobin="$(go env GOPATH)/bin"
gen="$gobin/protoc-gen-go"
if [ ! -x "$gen" ] || [ "$("$gen" --version 2>/dev/null)" != "protoc-gen-go $pb_version" ]; then
	GOBIN="$gobin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$pb_version"
fi
echo "genproto: $(protoc --version), $("$gen" --version)"

# run_protoc INCLUDE_DIR OUT_DIR PROTOC_ARGS_AND_FILES...
run_protoc() {
	local inc="$1" out="$2"
	shift 2
	protoc --plugin=protoc-gen-go="$gen" -I "$inc" -I "$wkt_dir" --go_out="$out" "$@"
}

# --- TFMD -------------------------------------------------------------------
rm -f pb/tfmd/*.pb.go
run_protoc . . --go_opt=module="$module" pb/tfmd/*.proto
echo "genproto: wrote $(ls pb/tfmd/*.pb.go | wc -l) files in pb/tfmd"

# --- TensorFlow ---------------------------------------------------------------
tf_module="github.com/tensorflow/tensorflow"
tf_version="v2.18.0+incompatible"
tf_pkg="$module/pb/tf;tfpb"
# The messages tfxc needs; every file they import is added below.
tf_roots=(
	tensorflow/core/framework/graph.proto
	tensorflow/core/framework/op_def.proto
	tensorflow/core/protobuf/meta_graph.proto
	tensorflow/core/protobuf/saved_model.proto
	tensorflow/core/example/example.proto
	tensorflow/core/example/feature.proto
)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Download outside this module so that go.mod and go.sum stay untouched.
tf_dir="$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "$tf_module@$tf_version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
if [ -z "$tf_dir" ] || [ ! -d "$tf_dir/tensorflow/core" ]; then
	echo "genproto: could not download $tf_module@$tf_version" >&2
	exit 1
fi

# The import closure of the roots.
tf_files=()
todo=("${tf_roots[@]}")
while [ "${#todo[@]}" -gt 0 ]; do
	f="${todo[0]}"
	todo=("${todo[@]:1}")
	case " ${tf_files[*]} " in *" $f "*) continue ;; esac
	tf_files+=("$f")
	while IFS= read -r imp; do
		todo+=("$imp")
	done < <(sed -n 's/^import[[:space:]]*"\(tensorflow\/[^"]*\)";.*/\1/p' "$tf_dir/$f")
done

# A small comment stripper: removes // and /* */ comments, leaves string
# literals alone, and drops the blank lines left behind.
mkdir -p "$tmp/strip"
cat >"$tmp/strip/main.go" <<'GO'
package main

import (
	"bytes"
	"os"
	"path/filepath"
)

func strip(src []byte) []byte {
	var out []byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			out = append(out, src[i:j+1]...)
			i = j
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				i = len(src)
			} else {
				i += 2 + end + 1
			}
		default:
			out = append(out, c)
		}
	}
	var lines [][]byte
	for _, l := range bytes.Split(out, []byte("\n")) {
		if l = bytes.TrimRight(l, " \t\r"); len(l) > 0 {
			lines = append(lines, l)
		}
	}
	return append(bytes.Join(lines, []byte("\n")), '\n')
}

// Usage: strip SRC_ROOT DST_ROOT FILE...
func main() {
	for _, f := range os.Args[3:] {
		src, err := os.ReadFile(filepath.Join(os.Args[1], f))
		if err != nil {
			panic(err)
		}
		dst := filepath.Join(os.Args[2], f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(dst, strip(src), 0o644); err != nil {
			panic(err)
		}
	}
}
GO
(cd "$tmp/strip" && GOFLAGS= go run main.go "$tf_dir" "$tmp/tf" "${tf_files[@]}")
if grep -rnE '^[^"]*(//|/\*)' "$tmp/tf" >&2; then
	echo "genproto: comments left after stripping" >&2
	exit 1
fi

# Every file goes into one Go package.
maps=()
for f in "${tf_files[@]}"; do
	maps+=("--go_opt=M$f=$tf_pkg")
done
mkdir -p pb/tf
rm -f pb/tf/*.pb.go
run_protoc "$tmp/tf" . --go_opt=module="$module" "${maps[@]}" "${tf_files[@]}"
echo "genproto: wrote $(ls pb/tf/*.pb.go | wc -l) files in pb/tf from ${#tf_files[@]} protos of $tf_module@$tf_version"
