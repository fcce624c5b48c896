package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The rules of this file decide what a run may write and write it all or
// nothing (README "Safety", "Files"):
//   - an output is never one of the specs, nor another output of the run,
//     whatever links lead to them;
//   - an output that is a symbolic link is written through it: its final
//     target is replaced, in the target's folder, and the link stays;
//   - an existing output is replaced only when it is empty or is Go source
//     that Go itself counts as generated (go/ast.IsGenerated: a
//     "// Code generated … DO NOT EDIT." line before the package clause),
//     unless -force; it keeps its permission bits, read-only included (a
//     new file gets 0644);
//   - every output is first written to a temporary file beside its
//     target; the temporaries are renamed over the targets only when all
//     are written, and a rename that fails puts back the files already
//     replaced. On any failure every file is as it was and no temporary is
//     left behind.

// newFileMode is the permission of an output that did not exist.
const newFileMode fs.FileMode = 0o644

// tempPattern names the temporary files of a run, beside their targets.
const tempPattern = ".gradgen-*.go.tmp"

// maxLinks bounds the chain of symbolic links followed from an output.
const maxLinks = 40

// target is the file an output replaces: the output's path with every
// symbolic link followed, and what is there now.
type target struct {
	path      string      // where the output is written
	info      fs.FileInfo // the file there now; nil when there is none
	folder    fs.FileInfo // its folder; nil when it cannot be found
	folderErr error       // why not
	old       []byte      // the file's contents, put back when a later rename fails
}

// resolveTarget follows the symbolic links of path, the output's own as
// well as its folders', to the file the output replaces, which need not
// exist.
func resolveTarget(path string) (*target, error) {
	for range maxLinks {
		info, err := os.Lstat(path)
		if err == nil && info.Mode()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(path)
			if err != nil {
				return nil, err
			}
			if !filepath.IsAbs(link) {
				folder, err := filepath.EvalSymlinks(filepath.Dir(path))
				if err != nil {
					return nil, err
				}
				link = filepath.Join(folder, link)
			}
			path = link
			continue
		}
		t := &target{path: path}
		folder, ferr := filepath.EvalSymlinks(filepath.Dir(path))
		if ferr == nil {
			t.path = filepath.Join(folder, filepath.Base(path))
			t.folder, ferr = os.Stat(folder)
		}
		t.folderErr = ferr
		switch {
		case err == nil:
			t.info = info
		case ferr == nil && t.folder.IsDir() && !errors.Is(err, fs.ErrNotExist):
			return nil, err // the folder is there, the file cannot be looked at
		}
		return t, nil
	}
	return nil, fmt.Errorf("output %s: more than %d symbolic links", path, maxLinks)
}

// checkOutputs resolves the target of every output and refuses a run
// that would overwrite one of the specs, write two outputs to one file,
// name a -test file that cannot hold a test, or name a folder (also under
// -check, which reads it). When the run writes
// (not under -check), it also refuses a missing output folder, an output
// that is not a regular file, and, without force, a file gradgen did not
// generate.
func checkOutputs(outs []*output, specs []*loaded, writes, force bool) error {
	var specInfos []fs.FileInfo
	for _, l := range specs {
		info, err := os.Stat(l.path)
		if err != nil {
			return err
		}
		specInfos = append(specInfos, info)
	}
	for k, o := range outs {
		t, err := resolveTarget(o.path)
		if err != nil {
			return err
		}
		o.target = t
		if t.info != nil {
			for i, info := range specInfos {
				if os.SameFile(t.info, info) {
					return fmt.Errorf("output %s is the spec %s%s; choose another output name", o.path, specs[i].path, throughLink(o.path, specs[i].path))
				}
			}
		}
		for _, prev := range outs[:k] {
			if samePath(prev.target.path, t.path) || prev.target.info != nil && t.info != nil && os.SameFile(prev.target.info, t.info) {
				return fmt.Errorf("outputs %s and %s are the same file%s", prev.path, o.path, throughLink(prev.path, o.path))
			}
		}
		switch {
		case writes:
			if err := t.checkReplaceable(o.path, force); err != nil {
				return err
			}
		case t.info != nil && t.info.IsDir():
			// Under -check too: "missing (is a directory)" and a command that
			// would then fail say less than the run itself would.
			return fmt.Errorf("output %s is a folder", o.path)
		}
	}
	return nil
}

// samePath reports whether two paths, relative or absolute, name the
// same place.
func samePath(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// throughLink explains, when two names of one file differ, how they can
// be the same file.
func throughLink(a, b string) string {
	if samePath(a, b) {
		return ""
	}
	return " (through a link)"
}

// checkReplaceable refuses a target that a run may not write: its folder
// is missing, it is not a regular file, or, without force, it is a
// non-empty file that is not generated Go source. It keeps the contents
// of the file it may replace, to put back on a failure.
func (t *target) checkReplaceable(output string, force bool) error {
	folder := filepath.Dir(t.path)
	switch {
	case errors.Is(t.folderErr, fs.ErrNotExist):
		return fmt.Errorf("output folder %s does not exist", folder)
	case t.folderErr != nil:
		return fmt.Errorf("output folder %s: %v", folder, pathless(t.folderErr))
	case !t.folder.IsDir():
		return fmt.Errorf("output folder %s is not a folder", folder)
	case t.info == nil:
		return nil
	case t.info.IsDir():
		return fmt.Errorf("output %s is a folder", output)
	case !t.info.Mode().IsRegular():
		return fmt.Errorf("output %s is not a regular file", output)
	}
	old, err := os.ReadFile(t.path)
	if err != nil {
		return err
	}
	if len(old) > 0 && !force {
		switch isGo, generated := isGenerated(old); {
		case !isGo:
			return fmt.Errorf("output %s exists and is not Go source (it does not parse as a Go file up to its package clause); use -force to overwrite it", output)
		case !generated:
			return fmt.Errorf("output %s exists and was not generated (no \"// Code generated … DO NOT EDIT.\" line before its package clause); use -force to overwrite it", output)
		}
	}
	t.old = old
	return nil
}

// isGenerated reports whether src parses as a Go file up to its package
// clause, and if so whether Go counts it as generated (go/ast.IsGenerated:
// a "// Code generated … DO NOT EDIT." line before the package clause).
func isGenerated(src []byte) (isGo, generated bool) {
	file, err := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		return false, false
	}
	return true, ast.IsGenerated(file)
}

// mode returns the permission bits of the file written for t: those of
// the file it replaces, else newFileMode.
func (t *target) mode() fs.FileMode {
	if t.info == nil {
		return newFileMode
	}
	return t.info.Mode().Perm()
}

// rename renames a temporary over its target; tests replace it to fail.
var rename = os.Rename

// writeAll writes every output atomically and all or none: each to a
// temporary file in its target's folder; only when all are written are
// they renamed over their targets. When a rename fails, the targets
// already replaced get their old contents back (or are removed, when they
// did not exist), and every temporary is removed.
//
// An output whose file already holds exactly its bytes is left alone, not
// rewritten, so that its modification time stays and make-style builds
// see nothing new.
func writeAll(outs []*output) error {
	var changed []*output
	for _, o := range outs {
		if o.target.info == nil || o.target.old == nil || !bytes.Equal(o.target.old, o.data) {
			changed = append(changed, o)
		}
	}
	outs = changed
	temps := make([]string, 0, len(outs))
	removeTemps := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, o := range outs {
		tmp, err := writeTemp(o.target, o.data)
		if err != nil {
			removeTemps()
			return fmt.Errorf("writing %s: %v; no output changed", o.path, err)
		}
		temps = append(temps, tmp)
	}
	for k, o := range outs {
		if err := rename(temps[k], o.target.path); err != nil {
			err = fmt.Errorf("writing %s: %v", o.path, pathless(err))
			removeTemps()
			if rerr := restore(outs[:k]); rerr != nil {
				return fmt.Errorf("%v; putting back the outputs written before it failed: %v", err, rerr)
			}
			return fmt.Errorf("%v; no output changed", err)
		}
	}
	return nil
}

// writeTemp writes data to a new temporary file beside t, with t's mode,
// and returns its path.
func writeTemp(t *target, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(t.path), tempPattern)
	if err != nil {
		return "", fmt.Errorf("cannot create a file in %s: %v", filepath.Dir(t.path), pathless(err))
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), t.mode())
	}
	if err != nil {
		os.Remove(f.Name())
		return "", pathless(err)
	}
	return f.Name(), nil
}

// restore puts back the targets of outs as they were before the run; its
// error, in one line, names each output it could not put back.
func restore(outs []*output) error {
	var failed []string
	for _, o := range outs {
		var err error
		if o.target.info == nil {
			err = os.Remove(o.target.path)
		} else {
			var tmp string
			if tmp, err = writeTemp(o.target, o.target.old); err == nil {
				if err = rename(tmp, o.target.path); err != nil {
					os.Remove(tmp)
				}
			}
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", o.path, pathless(err)))
		}
	}
	if failed != nil {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// pathless returns the cause of a file-system error without the path it
// names, which for a temporary file means nothing to the user.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
