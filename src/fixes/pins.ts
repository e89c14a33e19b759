/** Resolved `uses:` refs as the unpinned-action fix consumes them (resolved by src/collect/action-refs.ts). */

export type PinResolution =
  | {
      status: 'pinned';
      /** The commit SHA (annotated tags dereferenced). */
      sha: string;
      /** The most specific tag pointing at that commit (v4.2.1 over v4.2 over v4), when one is known. */
      tag?: string;
      /** Whether the ref named a tag or a branch. */
      from?: 'tag' | 'branch';
    }
  | { status: 'ambiguous'; reason: string }
  | { status: 'unresolved'; reason: string };

/** Key of a resolution: `owner/repo@ref`, owner and repo lower-cased (GitHub names are case-insensitive, refs are not). */
export function pinKey(owner: string, repo: string, ref: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}@${ref}`;
}
