// Package gitpub is platformc's only contact with git, through go-git:
//
//   - reading the platform's sources as they were at a revision, straight
//     from the object store, with no checkout and no clone (Commit.FS),
//     so that "platformc diff" can compile the base beside the work tree;
//   - publishing an output tree as one commit on a branch of the manifest
//     repository (Publish): the folder is replaced as a whole, nothing is
//     committed when nothing changed, a rejected push is retried on top of
//     the new remote state, and nothing is ever force-pushed.
//
// Its API is its own: commits (Commit), plain credentials (Credentials)
// and author names; no go-git type crosses it.
package gitpub
