package format_test

import (
	"fmt"

	"github.com/tfxc/tfxc/format"
)

func ExampleFormat() {
	src := "pipeline taxi\nmodel dnn{hidden 100,70;train steps:1000}  # small\n"
	out, _, err := format.Format("taxi.tfxl", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// pipeline taxi
	//
	// model dnn {
	//     hidden 100, 70
	//     train  steps: 1000
	// }  # small
}
