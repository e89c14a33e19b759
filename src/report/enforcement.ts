/**
 * Renders settings enforcement (pure): a Markdown section for the check run and one plain line per
 * record for the weekly issue's drift list (`WeeklyInput.drift`, escaped by the weekly renderer).
 * Environment and branch names are chosen by repository admins: untrusted, escaped here.
 */
import type { EnforcementNote, EnforcementRecord } from '../enforce/types.js';
import { byteLength, escapeMarkdown, oneLine, truncateMarkdown } from './markdown.js';

/** The section goes into the check run's `output.text`, which GitHub caps at 65,535 characters. */
export const MAX_ENFORCEMENT_BYTES = 60_000;

const STATUS_TEXT = { applied: 'changed', 'would-apply': 'would change', failed: 'failed to change' } as const;

function recordItem(r: EnforcementRecord): string {
  const c = r.change;
  const head = `- **${STATUS_TEXT[r.status]}** ${escapeMarkdown(c.label, 120)} (\`${c.checkId}\`): ${escapeMarkdown(r.before.summary, 400)} → ${escapeMarkdown(r.after.summary, 400)}`;
  if (r.status === 'applied') return `${head}. By ${escapeMarkdown(r.actor, 80)} at ${escapeMarkdown(r.at, 40)}.`;
  if (r.status === 'failed') return `${head}. GitHub refused: ${escapeMarkdown(r.reason ?? 'unknown error', 300)}.`;
  if (r.missingPermission) {
    return `${head}. Not done: the app lacks **${escapeMarkdown(r.missingPermission, 60)}** (organisation settings → GitHub Apps → Pipeline Guard → permissions).`;
  }
  return `${head}. Not done: ${escapeMarkdown(r.reason ?? 'dry run', 200)}.`;
}

/**
 * The "Settings enforcement" section, or `''` when there is nothing to say. The findings above it were
 * read before these changes, so they still show what was just fixed; the next audit will not.
 */
export function renderEnforcementSection(records: readonly EnforcementRecord[], notes: readonly EnforcementNote[] = []): string {
  if (records.length === 0 && notes.length === 0) return '';
  const lines = ['### Settings enforcement', ''];
  const applied = records.filter((r) => r.status === 'applied').length;
  if (records.length > 0) {
    lines.push(
      applied > 0
        ? `The organisation policy enforces these settings; ${applied} of ${records.length} change${records.length === 1 ? '' : 's'} applied. The findings above were read before the changes.`
        : 'The organisation policy enforces these settings; nothing was changed.',
      '',
    );
    for (const r of records) lines.push(recordItem(r));
  }
  if (notes.length > 0) {
    if (records.length > 0) lines.push('');
    lines.push('Left as they are:', '');
    for (const n of notes) lines.push(`- ${escapeMarkdown(n.label, 120)} (\`${n.checkId}\`): ${escapeMarkdown(n.reason, 400)}.`);
  }
  const text = lines.join('\n');
  return byteLength(text) > MAX_ENFORCEMENT_BYTES ? truncateMarkdown(text, MAX_ENFORCEMENT_BYTES) : text;
}

/** One plain line per record, e.g. `acme/ml: workflow token changed by …: read/write → read-only`. */
export function enforcementDriftLines(repoFullName: string, records: readonly EnforcementRecord[]): string[] {
  return records.map((r) => {
    const who = r.status === 'applied' ? ` by ${r.actor} at ${r.at}` : '';
    const why = r.status === 'applied' ? '' : ` (${r.reason ?? ''})`;
    return oneLine(`${repoFullName}: ${r.change.label} ${STATUS_TEXT[r.status]}${who}: ${r.before.summary} → ${r.after.summary}${why}`, 300);
  });
}

