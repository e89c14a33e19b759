/**
 * Settings half of R9 self-hosted-runner-exposure (the workflow half is
 * `src/checks/injection/self-hosted-runner-exposure.ts`, which calls this): a public repository
 * that can use self-hosted runners, through its own runners or an organization runner group open
 * to public repositories. Any fork pull request can then target them with `runs-on: self-hosted`.
 */
import type { CheckInput, CheckOutcome } from '../types.js';
import { NO_SETTINGS, actionsDisabled, outcome, probed, settingFinding } from './lib-settings.js';

export function selfHostedRunnerSettingsFindings(input: CheckInput): CheckOutcome {
  const settings = input.snapshot.settings;
  if (!settings) return outcome([], [NO_SETTINGS]);
  if (settings.repo.archived || settings.repo.visibility !== 'public') return outcome([]);
  if (actionsDisabled(settings)) return outcome([]);
  const runners = probed(settings.selfHostedRunners, 'the self-hosted runners available to the repository');
  if (!runners.ok) return outcome([], [runners.note]);
  const { count, groupsAllowPublicRepos, ephemeralUnknown } = runners.value;
  if (count === 0 && !groupsAllowPublicRepos) return outcome([]);

  const what =
    count > 0
      ? `can use ${count} self-hosted runner${count > 1 ? 's' : ''}`
      : 'is in an organization whose runner groups accept public repositories';
  // Runners usable today: critical. A group open to public repositories but with no runner yet: latent, high.
  return outcome([
    settingFinding(
      count > 0 ? 'critical' : 'high',
      count > 0
        ? `Public repository ${what}, so a fork pull request that asks for \`runs-on: self-hosted\` runs outsider code on your machines.`
        : `Public repository ${what}, so any runner added to them will run code from fork pull requests.`,
      count > 0 ? 'actions/runners.total_count' : 'orgs/actions/runner-groups.allows_public_repositories',
      count > 0 ? count : true,
      { runners: count, groupsAllowPublicRepos, ephemeralUnknown },
    ),
  ]);
}
