/**
 * The comment posted with the decision (shown to reviewers in the deployment's protection-rule
 * panel) and the check-run output that records it. Every value from the repository is escaped
 * (report/markdown). GitHub's description gives no maximum for the comment; we keep it under
 * MAX_COMMENT characters by cutting reasons first, so it always stays short and readable.
 */
import { escapeMarkdown } from '../report/markdown.js';
import type { Decision, RuleStatus } from './decide.js';

export const MAX_COMMENT = 2000;
export const GATE_CHECK_RUN_NAME = 'Pipeline Guard deployment gate';

const ICON: Record<RuleStatus, string> = { pass: '✅', fail: '❌', warn: '⚠️' };

export function gateComment(decision: Decision, environment: string, sha: string): string {
  const commit = sha ? ` (commit ${escapeMarkdown(sha.slice(0, 12), 12)})` : '';
  const head = `${decision.state === 'approved' ? '✅ Approved' : '❌ Rejected'} by Pipeline Guard for ${escapeMarkdown(environment, 80)}${commit}`;
  for (const reasonMax of [240, 120, 60]) {
    const lines = [head];
    if (decision.note) lines.push(escapeMarkdown(decision.note, reasonMax * 2));
    for (const r of decision.rules) lines.push(`- ${ICON[r.status]} ${r.title}: ${escapeMarkdown(r.reason, reasonMax)}`);
    const text = lines.join('\n');
    if (Array.from(text).length <= MAX_COMMENT) return text;
  }
  return `${head} (details in the ${GATE_CHECK_RUN_NAME} check run)`;
}

export interface GateRecord {
  environment: string;
  deploymentId: number;
  runId?: number;
}

/** The check run that records a decision on the deployed commit (the weekly issue collects these). */
export function gateCheckRunOutput(decision: Decision, record: GateRecord, comment: string): { title: string; summary: string; conclusion: 'success' | 'failure' } {
  return {
    title: `Deployment to ${record.environment.slice(0, 80)} ${decision.state}`,
    summary: [
      comment,
      '',
      `Deployment ${record.deploymentId}${record.runId !== undefined ? `, workflow run ${record.runId}` : ''}.`,
    ].join('\n'),
    conclusion: decision.state === 'approved' ? 'success' : 'failure',
  };
}

/** `external_id` of the record check run: lets a reader find the decision of one deployment. */
export function gateExternalId(record: GateRecord): string {
  return `deployment-gate:${record.deploymentId}:${record.environment}`;
}
