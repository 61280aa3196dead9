package mlmd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// treePrefix starts what is hashed for a folder, so that an empty folder
// and an empty file differ.
const treePrefix = "tfxc-tree-v1\x00"

// HashPath returns "sha256:<hex>" of a file's contents (what sha256sum
// prints for it), or for a folder, of its tree: every regular file's
// slash-separated path relative to the folder and contents, in the sorted
// order of the paths, so the hash is deterministic and independent of
// modification times, permissions and empty folders. Precisely, a folder's
// hash is the SHA-256 of "tfxc-tree-v1\x00" followed, for each file, by its
// relative path, a NUL byte and the 32-byte SHA-256 of its contents.
//
// A symbolic link, at path or inside the folder, is refused with an error,
// as is any file that is neither regular nor a folder.
func HashPath(path string) (string, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return "", fmt.Errorf("mlmd: hash: %w", err)
	}
	switch {
	case info.Mode().IsRegular():
		sum, err := hashFile(path)
		if err != nil {
			return "", fmt.Errorf("mlmd: hash: %w", err)
		}
		return "sha256:" + hex.EncodeToString(sum), nil
	case info.IsDir():
		sum, err := hashTree(path)
		if err != nil {
			return "", fmt.Errorf("mlmd: hash %s: %w", path, err)
		}
		return "sha256:" + hex.EncodeToString(sum), nil
	}
	return "", fmt.Errorf("mlmd: hash %s: %s", path, irregular(info.Mode()))
}

// hashTree hashes a folder's tree as HashPath describes.
func hashTree(root string) ([]byte, error) {
	var files []string // slash-separated, relative to root
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: %s", path, irregular(d.Type()))
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	h := sha256.New()
	io.WriteString(h, treePrefix)
	for _, rel := range files {
		sum, err := hashFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		io.WriteString(h, rel)
		h.Write([]byte{0})
		h.Write(sum)
	}
	return h.Sum(nil), nil
}

// hashFile returns the SHA-256 of a file's contents.
func hashFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// irregular describes why a file of the mode cannot be hashed.
func irregular(mode fs.FileMode) string {
	if mode&fs.ModeSymlink != 0 {
		return "is a symbolic link, which is not hashed"
	}
	return fmt.Sprintf("is not a regular file or a folder (mode %v)", mode)
}
