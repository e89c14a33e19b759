/**
 * Inline suppressions: `# pipeline-guard: ignore[check-id, other-id] reason` on the finding's line
 * or on the line just above it. A reason is required: a suppression without one is not honoured and
 * is reported as a warning, so every accepted risk in the code says why.
 */

export interface Suppression {
  ids: Set<string>;
  reason: string;
  line: number;
}

const MARKER = /(?:#|\/\/)\s*pipeline-guard:\s*ignore\[([^\]]*)\]\s*(.*)$/;

export function findSuppressions(text: string): { suppressions: Suppression[]; unreasoned: number[] } {
  const suppressions: Suppression[] = [];
  const unreasoned: number[] = [];
  if (!text.includes('pipeline-guard:')) return { suppressions, unreasoned };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const ids = new Set(m[1].split(',').map((s) => s.trim()).filter(Boolean));
    const reason = m[2].trim();
    if (reason === '') unreasoned.push(i + 1);
    else suppressions.push({ ids, reason, line: i + 1 });
  }
  return { suppressions, unreasoned };
}

/** True when a suppression on `line` or the line above names the check. */
export function isSuppressed(sups: readonly Suppression[], checkId: string, line: number | undefined): boolean {
  if (line === undefined) return false;
  return sups.some((s) => (s.line === line || s.line === line - 1) && (s.ids.has(checkId) || s.ids.has('*')));
}
