module github.com/tfxc/tfxc

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/google/go-cmp v0.7.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/dgryski/go-farm v0.0.0-20240924180020-3414d57e47da
	github.com/spf13/pflag v1.1.0
)
