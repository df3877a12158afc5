// Package rundir writes a command's output folder whole or not at all, and
// never deletes a file it did not write.
//
// A run opens the folder (Open), writes every file into Dir.Stage, a
// staging folder beside it, and then either commits (Commit: the stage
// replaces the folder in one rename) or aborts (Abort: the folder keeps the
// previous run). Each folder holds a manifest, .bbb-run, naming the command
// that wrote it and every file it wrote. The rules that follow from it:
//
//   - A folder holding a file its manifest does not list (a user's notes, a
//     copied data file), or written by another command, is refused before
//     any work.
//   - Subfolders (other runs: out/bench, out/torch) and anything not listed
//     are carried into the new folder, never deleted.
//   - What a killed run left beside the folder (its stage, the replaced run)
//     is finished by the next run into the same folder: listed files are
//     deleted, everything else is carried back.
//   - A lock (flock on .NAME.bbb-lock beside the folder) refuses a second
//     concurrent run.
//   - A mount point is refused before any work: it cannot be renamed.
//
// Before any work, a command lists every path it reads and writes in a
// Plan; Plan.Check refuses an output that would overwrite an input or
// another output (resolved through symbolic links and hard links), a run
// folder holding an input, an output that is not a regular file, names
// too long for the file system with the names bbb adds, and the folder
// refusals of Open (Check), each as one *Error naming the path as typed.
//
// Stopping at a signal is package interrupt's; a forced stop removes the
// stage through Dir.Abort (interrupt.OnHardStop).
//
// docs/RUN-DIRECTORY.md lists the steps and what the next run does after
// a kill -9 at each.
package rundir
