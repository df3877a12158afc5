package boundedio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// Chunk is the most one Read or ReadAt moves before the context is checked
// again: at disk or page-cache speed a few milliseconds.
const Chunk = 1 << 20

// ErrLimit is wrapped by the errors of a file or line over its bound.
var ErrLimit = errors.New("over the limit")

var interrupt atomic.Pointer[context.Context]

// SetInterrupt makes ctx the context that Open's reads check
// (context.Background(): never interrupted).
func SetInterrupt(ctx context.Context) {
	if ctx == nil {
		interrupt.Store(nil)
		return
	}
	interrupt.Store(&ctx)
}

// Interrupt is the context SetInterrupt set, or context.Background().
func Interrupt() context.Context {
	if p := interrupt.Load(); p != nil {
		return *p
	}
	return context.Background()
}

// File is an open regular file whose reads check a context and stay within
// a size.
type File struct {
	f         *os.File
	ctx       context.Context
	size, off int64
}

// Open opens path for reading if it is a regular file (after symlinks) of
// at most maxBytes bytes (0: any size); its reads stop when the context
// SetInterrupt set is done. Errors are the bare reason ("not a regular
// file: a device"); callers add the flag and the path.
func Open(path string, maxBytes int64) (*File, error) {
	ctx := Interrupt()
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	// Stat first: opening a FIFO for reading would block until a writer
	// comes; the open below is also non-blocking where the system has it,
	// for a path swapped for a FIFO between the two calls.
	st, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if st, err = f.Stat(); err == nil {
		err = regular(st)
	}
	if err == nil && maxBytes > 0 && st.Size() > maxBytes {
		err = fmt.Errorf("%d bytes: %w of %d bytes", st.Size(), ErrLimit, maxBytes)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f, ctx: ctx, size: st.Size()}, nil
}

// Regular is nil for a regular file, else "not a regular file: a FIFO"
// (a directory, a socket, a device, a special file).
func Regular(st os.FileInfo) error { return regular(st) }

func regular(st os.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "a special file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&os.ModeNamedPipe != 0:
		what = "a FIFO"
	case m&os.ModeSocket != 0:
		what = "a socket"
	case m&os.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("not a regular file: %s", what)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Size is the file's size when it was opened.
func (f *File) Size() int64 { return f.size }

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Read reads at most Chunk bytes after checking the context, and nothing
// past the size the file had at Open (a file that grows stays in bounds).
func (f *File) Read(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, context.Cause(f.ctx)
	}
	if f.off >= f.size {
		return 0, io.EOF
	}
	n, err := f.f.ReadAt(p[:min(int64(len(p)), Chunk, f.size-f.off)], f.off)
	f.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt fills p from off, Chunk bytes at a time with the context checked
// before each, reading nothing at or past the size the file had at Open.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		if err := f.ctx.Err(); err != nil {
			return done, context.Cause(f.ctx)
		}
		at := off + int64(done)
		if at >= f.size {
			return done, io.EOF
		}
		n, err := f.f.ReadAt(p[done:done+int(min(int64(len(p)-done), Chunk, f.size-at))], at)
		done += n
		if err != nil && !(err == io.EOF && n > 0) {
			return done, err
		}
	}
	return done, nil
}

// LineError is a line over MaxLine bytes.
type LineError struct {
	Line, Max int
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d is longer than %d bytes (%v; a file without line breaks?)", e.Line, e.Max, ErrLimit)
}

func (e *LineError) Unwrap() error { return ErrLimit }

// LineLimit returns r's bytes, failing with a *LineError at the first line
// (counted from 1) longer than maxLine bytes, before a parser buffers it.
func LineLimit(r io.Reader, maxLine int) io.Reader {
	return &lineLimiter{r: r, max: maxLine, line: 1}
}

type lineLimiter struct {
	r              io.Reader
	max, line, cur int // cur: bytes of the line so far
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.cur = 0
			continue
		}
		if l.cur++; l.cur > l.max {
			return i, &LineError{Line: l.line, Max: l.max}
		}
	}
	return n, err
}
