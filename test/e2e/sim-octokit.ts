/**
 * The app's Octokit pointed at the simulator (its normal `baseUrl`), with retry and throttling off and
 * every request checked against GitHub's REST description (URLs rewritten to GitHub's host for the
 * check, as a real client would send them).
 */
import { ProbotOctokit } from 'probot';
import { checkRequests } from '../sim/helpers.js';

export function simProbotOctokit(baseUrl: string, violations: string[]): typeof ProbotOctokit {
  const contract = (octokit: InstanceType<typeof ProbotOctokit>): void => checkRequests(octokit, baseUrl, violations);
  // The plugin type is generic over every Octokit; ours only needs the instance it is given.
  return ProbotOctokit.plugin(contract as unknown as Parameters<typeof ProbotOctokit.plugin>[0]).defaults((o: Record<string, unknown>) => ({
    ...o,
    baseUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
  })) as typeof ProbotOctokit;
}
