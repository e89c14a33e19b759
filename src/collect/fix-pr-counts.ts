/**
 * How many fix-up pull requests are open in an organisation, and how many merged since a date, for
 * the weekly issue. Two search requests per sweep (search counts `head:` as a branch-name prefix, so
 * `head:pipeline-guard/fix/` finds every fix-up branch). Undefined when search cannot answer.
 */
import { FIX_BRANCH_PREFIX } from '../report/fix-pr.js';
import type { OctokitLike } from './github-rest.js';

export async function collectFixPrCounts(octokit: OctokitLike, org: string, since: Date): Promise<{ open: number; mergedThisWeek: number } | undefined> {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(org)) return undefined;
  const count = async (q: string): Promise<number> => {
    const res = await octokit.request('GET /search/issues', { q, per_page: 1 });
    return (res.data as { total_count: number }).total_count;
  };
  const base = `org:${org} is:pr head:${FIX_BRANCH_PREFIX}`;
  try {
    const open = await count(`${base} is:open`);
    const mergedThisWeek = await count(`${base} is:merged merged:>=${since.toISOString().slice(0, 10)}`);
    return { open, mergedThisWeek };
  } catch {
    return undefined;
  }
}

/** Monday 00:00 UTC of the ISO week containing `date`. */
export function isoWeekStart(date: Date): Date {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() - (day - 1));
  return d;
}
