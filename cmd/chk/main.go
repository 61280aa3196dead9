package main

import (
	"fmt"
	"os"
	"time"

	"github.com/tfxc/tfxc/lang"
	"github.com/tfxc/tfxc/parser"
	"github.com/tfxc/tfxc/stdlib"
)

func main() {
	src, _ := os.ReadFile(os.Args[1])
	t0 := time.Now()
	f, diags := parser.ParseFile(os.Args[1], src)
	t1 := time.Now()
	cfg := &lang.Config{Catalog: stdlib.Catalog(), LoadSchema: lang.LoadSchemaFile}
	if len(os.Args) > 2 {
		s, d := lang.LoadSchemaFile(os.Args[2])
		diags = append(diags, d...)
		cfg.Schema = s
	}
	if !diags.HasErrors() {
		_, d := lang.Check(f, cfg)
		diags = append(diags, d...)
	}
	t2 := time.Now()
	for i, d := range diags {
		if i > 5 {
			break
		}
		fmt.Println(d.Error(), "|", d.Path, "|", d.Hint)
	}
	fmt.Fprintln(os.Stderr, "parse", t1.Sub(t0), "check", t2.Sub(t1), len(diags))
}
