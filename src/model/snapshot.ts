/**
 * A repository at a commit, as plain data. The same shape whether it came from a directory on disk
 * (collect/local) or from the GitHub API (collect/github). Settings are optional: checks that need
 * them report "not evaluated" when they are absent.
 */

export interface SnapshotFile {
  /** Path relative to the repository root, forward slashes, no leading `./`. */
  path: string;
  /** Size in bytes of the file (the blob), even when the content was not loaded. */
  size: number;
  /** The content, when the collector loaded it (workflows, actions, Dockerfiles, code, model headers). */
  bytes?: Uint8Array;
  /** What the file is, when the collector was told (a single file named on the command line). */
  role?: import('./file-role.js').FileRole;
  /** True when the content is a Git LFS pointer rather than the file itself. */
  lfsPointer?: boolean;
}

export interface RepoInfo {
  owner: string;
  name: string;
  defaultBranch?: string;
  visibility?: 'public' | 'private' | 'internal';
  archived?: boolean;
}

export interface RepoSnapshot {
  source: 'local' | 'github';
  repo?: RepoInfo;
  /** Commit SHA or ref the files were read at, when known. */
  ref?: string;
  /** Every file of the tree the collector saw; `bytes` only for those it loaded. */
  files: SnapshotFile[];
  /** One-line warnings from collection (unreadable file, symlink outside the root...). */
  warnings: string[];
  /** Repository settings, when read from GitHub; absent offline (settings checks say "not evaluated"). */
  settings?: import('./settings.js').RepoSettings;
}
