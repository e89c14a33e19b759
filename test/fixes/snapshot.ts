/** The one-file snapshot the fix tests scan and fix: what a local scan of that file would collect. */
import type { RepoSnapshot } from '../../src/model/snapshot.js';

export function oneFileSnapshot(text: string, path = '.github/workflows/w.yml', role: 'workflow' | 'action' = 'workflow'): RepoSnapshot {
  const bytes = new TextEncoder().encode(text);
  return { source: 'local', files: [{ path, size: bytes.length, bytes, role }], warnings: [] };
}
