/**
 * The "Pipeline Guard" check run, as data (pure: no network, no clock). `publish/check-run` sends it.
 *
 * - Title: what the reviewer must know first ("2 new high findings in this PR · repository score 64 (D)").
 * - Summary (Markdown, ≤ 65,535 bytes): findings by severity (new in this PR | already on the base
 *   branch), by check, the new findings with file:line links, the settings findings, what could not be
 *   evaluated and the permission to grant, organisation-locked overrides that were refused, a policy error.
 *   Lists are cut to fit and say how many items were left out.
 * - Annotations: one per finding with a position (new ones first), level by severity.
 * - Conclusion (`checkRunPolicy`): failure when a counted finding reaches `failOn`, neutral when one
 *   reaches `neutralOn`, else success. On a pull request only findings on lines it touched count,
 *   unless `failOnExisting`. An invalid policy concludes `failure` (fail closed: a typo must never
 *   silently switch the gate off) and the title says so.
 */
import type { NotEvaluated } from '../checks/types.js';
import type { Finding, Severity } from '../model/types.js';
import { SEVERITIES, severityRank } from '../model/types.js';
import type { CheckRunPolicy } from '../policy/config.js';
import { grade, score } from './score.js';
import { byteLength, codeSpan, encodePath, escapeMarkdown, mdLink, truncateMarkdown } from './markdown.js';

export const CHECK_RUN_NAME = 'Pipeline Guard';
export const MAX_SUMMARY_BYTES = 65_535;
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
/** Annotations beyond this many are left out (20 requests); the summary says how many. */
export const MAX_ANNOTATIONS = 1_000;
export const FIX_ACTION = { label: 'Fix it', identifier: 'fix', description: 'Open or update fix-up pull requests' } as const;

export type Conclusion = 'success' | 'neutral' | 'failure';
export type AnnotationLevel = 'notice' | 'warning' | 'failure';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  title: string;
  message: string;
}

export interface CheckRunAction {
  label: string;
  identifier: string;
  description: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: Annotation[];
  conclusion: Conclusion;
  actions: CheckRunAction[];
}

export interface CheckRunReportInput {
  findings: readonly Finding[];
  notEvaluated?: readonly (NotEvaluated & { checkId: string })[];
  warnings?: readonly string[];
  /** Repository policy settings the organisation lock refused (from `mergePolicies`). */
  refused?: readonly string[];
  /** The policy could not be read or validated: shown first, and the run fails. */
  policyError?: string;
  policy: CheckRunPolicy;
  /** Set on a pull request: which findings sit on lines it touched, and the base branch name. */
  pullRequest?: { number: number; baseRef: string; isNew: (f: Finding) => boolean; truncatedFiles?: boolean };
  /** For file:line links: `https://github.com/owner/repo` (from the webhook) and the audited commit. */
  repoUrl?: string;
  headSha?: string;
  /** Branch of a push audit, shown in the heading (untrusted: escaped). */
  branch?: string;
}

const LEVEL: Record<Severity, AnnotationLevel> = { critical: 'failure', high: 'failure', medium: 'warning', low: 'notice', info: 'notice' };
const DESC = [...SEVERITIES].reverse();

function worst(findings: readonly Finding[]): Severity | undefined {
  let w: Severity | undefined;
  for (const f of findings) if (!w || severityRank(f.severity) > severityRank(w)) w = f.severity;
  return w;
}

export function conclude(counted: readonly Finding[], policy: CheckRunPolicy): Conclusion {
  const w = worst(counted);
  if (w === undefined) return 'success';
  if (severityRank(w) >= severityRank(policy.failOn)) return 'failure';
  if (severityRank(w) >= severityRank(policy.neutralOn)) return 'neutral';
  return 'success';
}

export function toAnnotation(f: Finding): Annotation | undefined {
  if (!f.region) return undefined;
  const start = Math.max(1, f.region.line);
  const end = Math.max(start, f.region.endLine || start);
  const a: Annotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: LEVEL[f.severity],
    title: f.checkId.slice(0, 255),
    // Annotation messages are plain text (not Markdown); GitHub caps them at 64 KB.
    message: `${f.severity}: ${f.message}`.slice(0, 4_000),
  };
  if (start === end && f.region.column > 0) {
    a.start_column = f.region.column;
    a.end_column = Math.max(f.region.column, f.region.endLine === start ? f.region.endColumn : f.region.column);
  }
  return a;
}

/** Sorted for reading: severity, then path and line. */
function bySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.path.localeCompare(b.path) || (a.region?.line ?? 0) - (b.region?.line ?? 0);
}

interface Ctx {
  repoUrl?: string;
  headSha?: string;
}

function location(f: Finding, ctx: Ctx): string {
  const line = f.region ? ` L${f.region.line}` : '';
  const text = `${f.path}${line}`;
  if (ctx.repoUrl && ctx.headSha && /^[0-9a-f]{7,64}$/i.test(ctx.headSha)) {
    const anchor = f.region ? `#L${f.region.line}${f.region.endLine > f.region.line ? `-L${f.region.endLine}` : ''}` : '';
    return mdLink(text, `${ctx.repoUrl.replace(/\/+$/, '')}/blob/${ctx.headSha}/${encodePath(f.path)}${anchor}`);
  }
  return escapeMarkdown(text);
}

function findingItem(f: Finding, ctx: Ctx): string {
  const where = f.job ? ` (job ${codeSpan(f.job, { max: 60 })}${f.step ? `, step ${codeSpan(f.step, { max: 60 })}` : ''})` : '';
  const fix = f.fixable ? ' · fixable' : '';
  return `- **${f.severity}** \`${f.checkId}\` — ${escapeMarkdown(f.message, 500)}${where} ${location(f, ctx)}${fix}`;
}

/** A section whose items may be cut to fit. */
interface Section {
  heading: string;
  items: string[];
  /** "findings", "warnings"...: used in "…and 12 more findings not shown". */
  noun: string;
  footer?: string;
}

type Block = { fixed: string } | { section: Section };

function renderBlocks(blocks: Block[], max: number): string {
  const reserve = 200; // per cut section: the "…and N more" line
  const fixedBytes = blocks.reduce((sum, b) => sum + ('fixed' in b ? byteLength(b.fixed) + 2 : byteLength(b.section.heading) + reserve + byteLength(b.section.footer ?? '') + 4), 0);
  let budget = max - fixedBytes;
  const parts: string[] = [];
  for (const b of blocks) {
    if ('fixed' in b) {
      parts.push(b.fixed);
      continue;
    }
    const { heading, items, noun, footer } = b.section;
    const kept: string[] = [];
    for (const item of items) {
      const cost = byteLength(item) + 1;
      if (cost > budget) break;
      budget -= cost;
      kept.push(item);
    }
    const lines = [heading, ...kept];
    if (kept.length < items.length) lines.push(`- _…and ${items.length - kept.length} more ${noun} not shown: the summary is limited to 65,535 characters._`);
    if (footer) lines.push(footer);
    parts.push(lines.join('\n'));
  }
  // The fixed blocks are bounded, but an oversized policy error or table must still never break the limit.
  return truncateMarkdown(parts.join('\n\n'), max);
}

export function buildCheckRunOutput(input: CheckRunReportInput): CheckRunOutput {
  const ctx: Ctx = { repoUrl: input.repoUrl, headSha: input.headSha };
  const pr = input.pullRequest;
  const all = [...input.findings].sort(bySeverity);
  const positioned = all.filter((f) => f.region);
  const settings = all.filter((f) => !f.region);
  const isNew = (f: Finding): boolean => (pr ? f.region !== undefined && pr.isNew(f) : false);
  const fresh = pr ? positioned.filter(isNew) : [];
  const existing = pr ? positioned.filter((f) => !isNew(f)) : positioned;
  const counted = !pr || input.policy.failOnExisting ? all : fresh;
  const sc = score(all);
  const scoreText = `repository score ${sc} (${grade(sc)})`;

  let conclusion = conclude(counted, input.policy);
  let title: string;
  if (input.policyError) {
    conclusion = 'failure';
    title = `Invalid Pipeline Guard policy · ${scoreText}`;
  } else if (pr) {
    const w = worst(fresh);
    if (!w) title = `No new findings in this PR · ${scoreText}`;
    else {
      const top = fresh.filter((f) => f.severity === w).length;
      const rest = fresh.length - top;
      title = `${top} new ${w} finding${top === 1 ? '' : 's'} in this PR${rest > 0 ? ` (+${rest} lower)` : ''} · ${scoreText}`;
    }
  } else {
    const w = worst(all);
    if (!w) title = `No findings · ${scoreText}`;
    else {
      const top = all.filter((f) => f.severity === w).length;
      const rest = all.length - top;
      title = `${top} ${w} finding${top === 1 ? '' : 's'}${rest > 0 ? ` (+${rest} lower)` : ''} · ${scoreText}`;
    }
  }

  const blocks: Block[] = [];
  if (input.policyError) {
    blocks.push({
      fixed:
        `> [!CAUTION]\n> **The Pipeline Guard policy is invalid**, so this run fails until it is fixed: ${escapeMarkdown(input.policyError, 1_000)}\n` +
        '> The findings below were found with the policy that could still be read (the organisation policy, or the defaults).',
    });
  }

  // Severity table.
  const baseName = pr ? codeSpan(pr.baseRef, { max: 60, table: true }) : '';
  const count = (list: readonly Finding[], s: Severity): number => list.filter((f) => f.severity === s).length;
  const sevRows = DESC.filter((s) => s !== 'info' || all.some((f) => f.severity === 'info'));
  if (pr) {
    const lines = [`| severity | new in this PR | already on ${baseName} | settings |`, '|---|---:|---:|---:|'];
    for (const s of sevRows) lines.push(`| ${s} | ${count(fresh, s)} | ${count(existing, s)} | ${count(settings, s)} |`);
    blocks.push({ fixed: lines.join('\n') });
  } else {
    const heading = input.branch ? `Audit of ${codeSpan(input.branch, { max: 80 })}${input.headSha ? ` at ${codeSpan(input.headSha.slice(0, 12))}` : ''}` : undefined;
    const lines = [`| severity | in files | settings |`, '|---|---:|---:|'];
    for (const s of sevRows) lines.push(`| ${s} | ${count(positioned, s)} | ${count(settings, s)} |`);
    blocks.push({ fixed: (heading ? `${heading}\n\n` : '') + lines.join('\n') });
  }
  const gate = `Fails at **${input.policy.failOn}** and above, neutral at **${input.policy.neutralOn}** and above${
    pr ? (input.policy.failOnExisting ? '; findings already on the base branch count too' : '; only findings on lines this PR touched count') : ''
  }.`;
  blocks.push({ fixed: gate });

  // By check.
  if (all.length > 0) {
    const byCheck = new Map<string, Finding[]>();
    for (const f of all) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);
    const rows = [...byCheck.entries()].sort((a, b) => severityRank(worst(b[1])!) - severityRank(worst(a[1])!) || b[1].length - a[1].length || a[0].localeCompare(b[0]));
    const lines = pr ? ['| check | worst | new in this PR | total |', '|---|---|---:|---:|'] : ['| check | worst | total |', '|---|---|---:|'];
    for (const [id, list] of rows) {
      lines.push(pr ? `| \`${id}\` | ${worst(list)} | ${list.filter(isNew).length} | ${list.length} |` : `| \`${id}\` | ${worst(list)} | ${list.length} |`);
    }
    blocks.push({ fixed: lines.join('\n') });
  }

  if (pr) {
    if (fresh.length > 0) blocks.push({ section: { heading: '### New in this PR', items: fresh.map((f) => findingItem(f, ctx)), noun: 'new findings' } });
    if (existing.length > 0) {
      blocks.push({
        section: {
          heading: `### Already on ${codeSpan(pr.baseRef, { max: 60 })}`,
          items: existing.map((f) => findingItem(f, ctx)),
          noun: 'findings',
        },
      });
    }
    if (pr.truncatedFiles) blocks.push({ fixed: '_This PR changes more than 3,000 files: GitHub lists only the first 3,000, so findings in the others are shown as already present._' });
  } else if (positioned.length > 0) {
    blocks.push({ section: { heading: '### Findings', items: positioned.map((f) => findingItem(f, ctx)), noun: 'findings' } });
  }
  if (settings.length > 0) {
    blocks.push({
      section: {
        heading: pr ? '### Settings (not part of this PR)' : '### Settings',
        items: settings.map((f) => `- **${f.severity}** \`${f.checkId}\` — ${escapeMarkdown(f.message, 500)}`),
        noun: 'settings findings',
      },
    });
  }

  const notEvaluated = input.notEvaluated ?? [];
  if (notEvaluated.length > 0) {
    const offline = notEvaluated.filter((n) => n.kind === 'no-settings');
    const items: string[] = [];
    if (offline.length > 0) items.push(`- ${[...new Set(offline.map((n) => `\`${n.checkId}\``))].join(', ')}: the repository settings could not be read.`);
    for (const n of notEvaluated.filter((x) => x.kind !== 'no-settings')) {
      const grant = n.permission ? ` Grant the app **${escapeMarkdown(n.permission, 80)}** (organisation settings → GitHub Apps → Pipeline Guard → permissions).` : '';
      items.push(`- \`${n.checkId}\`: ${escapeMarkdown(n.reason, 300)}.${grant}`);
    }
    blocks.push({ section: { heading: '### Not evaluated', items, noun: 'items' } });
  }
  const refused = input.refused ?? [];
  if (refused.length > 0) {
    blocks.push({
      section: {
        heading: '### Repository policy settings refused by the organisation lock',
        items: refused.map((r) => `- ${escapeMarkdown(r, 300)}`),
        noun: 'refused settings',
      },
    });
  }
  const warnings = input.warnings ?? [];
  if (warnings.length > 0) blocks.push({ section: { heading: '### Warnings', items: warnings.map((w) => `- ${escapeMarkdown(w, 300)}`), noun: 'warnings' } });

  const annotatable = pr ? [...fresh, ...existing] : positioned;
  const annotations = annotatable.slice(0, MAX_ANNOTATIONS).map(toAnnotation).filter((a): a is Annotation => a !== undefined);
  if (annotatable.length > MAX_ANNOTATIONS) {
    blocks.push({ fixed: `_${annotatable.length - MAX_ANNOTATIONS} findings are listed above but not annotated: at most ${MAX_ANNOTATIONS} annotations are sent._` });
  }

  const summary = renderBlocks(blocks, MAX_SUMMARY_BYTES);
  const actions = all.some((f) => f.fixable) ? [{ ...FIX_ACTION }] : [];
  return { title, summary, annotations, conclusion, actions };
}

/** The output when the audit itself could not finish: neutral, with the reason. */
export function auditFailedOutput(reason: string): Pick<CheckRunOutput, 'title' | 'summary' | 'conclusion'> {
  return {
    title: 'Pipeline Guard could not finish the audit',
    summary: `The audit stopped before it could decide, so this run is neutral (not a pass).\n\nReason: ${escapeMarkdown(reason, 1_000)}\n\nRe-run the check to try again.`,
    conclusion: 'neutral',
  };
}
