package fstree

import "syscall"

// syscallENOTDIR is the error of a path whose parent is a file.
const syscallENOTDIR = syscall.ENOTDIR
