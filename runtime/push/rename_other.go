//go:build !linux

package push

import (
	"fmt"
	"io/fs"
	"os"
)

// renameNoReplace renames from to to unless to exists. Outside Linux the
// check and the rename are two steps, so two pushers racing for the same
// version could both pass the check; on Linux the kernel decides.
func renameNoReplace(from, to string) error {
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("rename %s %s: %w", from, to, fs.ErrExist)
	}
	return os.Rename(from, to)
}
