// Package boundedio opens and reads user-named input files within bounds
// and interruptibly: only regular files (a device such as /dev/zero, a FIFO
// or a directory is refused before a byte is read), at most a given size,
// lines of at most a given length, and every read done in chunks that
// check a context first, so a signal stops a read of any size within one
// chunk's time.
//
// The context is the one given to Open, or, where the caller cannot pass
// one down (data.ReadCSV and modelfile.Read keep their signatures),
// the process's interrupt context set by SetInterrupt: the CLI sets it to
// its signal context for the length of a command.
package boundedio
