/** `uses:` references: what they point at and how they are pinned. */

export type UsesRef =
  | { kind: 'local'; path: string }
  | { kind: 'docker'; image: string }
  | { kind: 'action'; owner: string; repo: string; path?: string; ref?: string; reusableWorkflow: boolean; /** `owner/repo[/path]`, lower-cased. */ name: string }
  | { kind: 'invalid'; raw: string };

const SHA_RE = /^[0-9a-f]{40}$/i;

export function isFullSha(ref: string | undefined): boolean {
  return !!ref && SHA_RE.test(ref);
}

export function parseUses(raw: string): UsesRef {
  // Only the first token counts (catalogue W3: `slug@ref` stops at whitespace or `#`): a block
  // scalar (`uses: |`) may carry a trailing comment or newline.
  const value = /^\s*([^\s#]*)/.exec(raw)?.[1] ?? '';
  if (value.startsWith('./') || value.startsWith('.\\')) return { kind: 'local', path: value.replace(/^\.[\\/]/, '') };
  if (value.startsWith('docker://')) return { kind: 'docker', image: value.slice('docker://'.length) };
  const at = value.lastIndexOf('@');
  const target = at === -1 ? value : value.slice(0, at);
  const ref = at === -1 ? undefined : value.slice(at + 1);
  const parts = target.split('/');
  if (parts.length < 2 || !parts[0] || !parts[1]) return { kind: 'invalid', raw: value };
  const path = parts.length > 2 ? parts.slice(2).join('/') : undefined;
  return {
    kind: 'action',
    owner: parts[0],
    repo: parts[1],
    path,
    ref: ref === '' ? undefined : ref,
    reusableWorkflow: !!path && /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path),
    name: target.toLowerCase(),
  };
}

/** `owner/repo` or `owner/repo/path`, lower-cased, without the ref: for lookups in action tables. */
export function actionName(ref: UsesRef): string | undefined {
  return ref.kind === 'action' ? ref.name : undefined;
}

/** `owner/repo` only, lower-cased. */
export function actionRepo(ref: UsesRef): string | undefined {
  return ref.kind === 'action' ? `${ref.owner}/${ref.repo}`.toLowerCase() : undefined;
}
