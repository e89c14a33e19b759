/** Human output: findings grouped by file, colour only when asked (a TTY without NO_COLOR). */
import type { Finding, Severity } from '../model/types.js';
import { countBySeverity, grade, score } from './score.js';

const COLOURS: Record<Severity, string> = { critical: '\x1b[1;35m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';

export interface TextTarget {
  label: string;
  findings: Finding[];
  warnings: string[];
  suppressed: number;
  /** Every finding before the --min-severity filter, for the score. */
  allFindings: Finding[];
  notEvaluated: { checkId: string; kind: string; reason: string; permission?: string }[];
}

/** One line for the settings checks skipped offline, one line each for anything else undecided. */
function notEvaluatedLines(items: TextTarget['notEvaluated']): string[] {
  const offline = items.filter((n) => n.kind === 'no-settings');
  const rest = items.filter((n) => n.kind !== 'no-settings');
  const out: string[] = [];
  if (offline.length > 0) out.push(`not evaluated offline (settings checks, or their settings half; they need GitHub): ${offline.map((n) => n.checkId).join(', ')}`);
  for (const n of rest) out.push(`not evaluated: ${n.checkId}: ${clean(n.reason)}${n.permission ? ` (grant the app "${n.permission}")` : ''}`);
  return out;
}

/** Control characters from repository text must not drive the terminal. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, '?');
}

export function renderText(targets: TextTarget[], colour: boolean): string {
  const c = (code: string, s: string): string => (colour ? `${code}${s}${RESET}` : s);
  const out: string[] = [];
  for (const t of targets) {
    if (targets.length > 1) out.push(c(BOLD, `== ${clean(t.label)}`));
    for (const w of t.warnings) out.push(`warning: ${clean(w)}`);
    const byFile = new Map<string, Finding[]>();
    for (const f of t.findings) {
      const list = byFile.get(f.path) ?? [];
      list.push(f);
      byFile.set(f.path, list);
    }
    for (const [file, list] of byFile) {
      out.push('', c(BOLD, clean(file)));
      for (const f of list) {
        const pos = f.region ? `${f.region.line}:${f.region.column}` : '-';
        out.push(`  ${c(DIM, pos.padEnd(8))} ${c(COLOURS[f.severity], f.severity.padEnd(8))} ${f.checkId.padEnd(28)} ${clean(f.message)}`);
      }
    }
    const counts = countBySeverity(t.findings);
    const parts = (['critical', 'high', 'medium', 'low', 'info'] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
    const s = score(t.allFindings);
    const summary = t.findings.length === 0 ? 'no findings' : `${t.findings.length} finding${t.findings.length === 1 ? '' : 's'} (${parts.join(', ')})`;
    const sup = t.suppressed > 0 ? `, ${t.suppressed} suppressed` : '';
    out.push('', `${summary}${sup} · score ${s} (${grade(s)})`);
    const undecided = notEvaluatedLines(t.notEvaluated);
    if (undecided.length > 0) out.push(...undecided.map((l) => c(DIM, l)));
    if (targets.length > 1) out.push('');
  }
  return out.join('\n') + '\n';
}
