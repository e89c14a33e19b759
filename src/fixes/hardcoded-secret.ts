/**
 * hardcoded-secret fix (S1), workflows only: replace the literal by `${{ secrets.<NAME> }}`. The
 * secret has to be created and the leaked key rotated by a human: a fixed file does not un-leak a
 * key that is in the git history, and every note says so.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { WorkflowFile } from '../workflows/model.js';
import type { DocPath, FixEdit, Fixer, FixerOutput } from './types.js';

const CHECK_ID = 'hardcoded-secret';

/** The document path of the scalar whose source range holds [start, end) (aliases are not followed). */
function scalarPathAround(w: WorkflowFile, start: number, end: number): DocPath | undefined {
  let found: DocPath | undefined;
  const walk = (node: unknown, path: DocPath): void => {
    const n = node as YamlNode | null;
    const r = n?.range;
    if (found || !n || !r || start < r[0] || end > r[1]) return;
    if (isScalar(n)) found = path;
    else if (isMap(n)) {
      for (const p of n.items) if (isScalar(p.key)) walk(p.value, [...path, String(p.key.value)]);
    } else if (isSeq(n)) n.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(w.doc.contents, []);
  return found;
}

/** A secret name GitHub accepts: letters, digits and underscores, not starting with a digit or GITHUB_. */
function secretName(raw: unknown, kind: unknown): string {
  const base = (typeof raw === 'string' && raw !== '' ? raw : `LEAKED_${String(kind ?? 'TOKEN')}`).toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const name = /^[0-9]/.test(base) ? `_${base}` : base;
  return name.startsWith('GITHUB_') ? `X_${name}` : name;
}

export const hardcodedSecretFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings }): FixerOutput {
    const edits: FixEdit[] = [];
    const notes: string[] = [];
    for (const f of findings) {
      const where = `${w.path}:${f.region?.line ?? 1}`;
      const start = f.data?.offset;
      const end = f.data?.endOffset;
      if (typeof start !== 'number' || typeof end !== 'number' || end <= start) {
        notes.push(`${where}: hardcoded-secret: the literal's position is unknown; left as is.`);
        continue;
      }
      const path = scalarPathAround(w, start, end);
      if (!path) {
        notes.push(`${where}: hardcoded-secret: the literal is not inside one YAML value (a comment or a key?); left as is.`);
        continue;
      }
      const name = secretName(f.data?.secretName, f.data?.kind);
      edits.push({
        checkId: CHECK_ID,
        splices: [{ start, end, text: `\${{ secrets.${name} }}` }],
        targets: [path],
        findings: [f],
        notes: [`${where}: the literal now reads secrets.${name}: create that secret, and rotate the leaked key (it stays in the git history).`],
      });
    }
    return { edits, notes };
  },
};
