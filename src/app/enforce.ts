/**
 * Settings enforcement for one repository (issue #4): what the organisation policy enforces, planned
 * from the audit's findings (enforce/plan), ids read (collect/enforce-ids), changes written
 * (publish/enforce), and the record rendered for the check run and the weekly issue (report/enforcement).
 * Called by default-branch audits and by the sweep; never on a pull request.
 */
import { collectEnforceIds, type ReviewerIds } from '../collect/enforce-ids.js';
import type { OctokitLike } from '../collect/github-rest.js';
import { planEnforcement } from '../enforce/plan.js';
import type { EnforcementNote, EnforcementRecord } from '../enforce/types.js';
import type { RepoSettings } from '../model/settings.js';
import type { Finding } from '../model/types.js';
import { enforcePolicy, type Policy } from '../policy/config.js';
import { applyEnforcement, type WriteOctokit } from '../publish/enforce.js';
import { enforcementDriftLines, renderEnforcementSection } from '../report/enforcement.js';

/** Who the records name as the author of a change: the app's bot account. */
export function enforcementActor(slug: string | undefined = process.env.APP_SLUG): string {
  slug = slug?.trim();
  return `${slug && /^[a-z0-9-]{1,100}$/i.test(slug) ? slug : 'pipeline-guard'}[bot]`;
}

export interface EnforcementOutcome {
  records: EnforcementRecord[];
  notes: EnforcementNote[];
  /** Markdown section for the check run text ('' when nothing was planned or noted). */
  section: string;
  /** One plain line per record, for the weekly issue's settings-drift list. */
  drift: string[];
}

/** Undefined when the policy enforces nothing (no request is made). `opts.reviewers`: see collectEnforceIds. */
export async function enforceRepository(
  octokit: OctokitLike & WriteOctokit,
  target: { owner: string; repo: string },
  settings: RepoSettings | undefined,
  findings: readonly Finding[],
  policy: Policy,
  opts: { actor: string; now: string; reviewers?: (names: readonly string[]) => Promise<ReviewerIds> },
): Promise<EnforcementOutcome | undefined> {
  if (!settings || enforcePolicy(policy).checks.length === 0) return undefined;
  const ids = await collectEnforceIds(octokit, target, policy, findings, opts.reviewers);
  const plan = planEnforcement(settings, findings, policy, ids);
  if (plan.changes.length === 0 && plan.notes.length === 0) return undefined;
  const records = await applyEnforcement(octokit, target, plan.changes, { actor: opts.actor, now: opts.now });
  return {
    records,
    notes: plan.notes,
    section: renderEnforcementSection(records, plan.notes),
    drift: enforcementDriftLines(`${target.owner}/${target.repo}`, records),
  };
}
