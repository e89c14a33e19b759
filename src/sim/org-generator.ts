/**
 * A deterministic organisation for the simulator: N repositories with varied settings and 1-30
 * workflow files each, from a seed. Repository content is produced on first access (and may be
 * dropped and regenerated identically), so 10,000 repositories cost little memory until read.
 */
import type { GitHubSimulator } from './server.js';
import { mulberry32 } from './rng.js';
import type { SimEnvironment, SimInstallation, SimOrg, SimRepo, SimRuleset } from './state.js';
import { DANGEROUS_PICKLE, pick, SAFE_PICKLE, tinySafetensors, workflow, type Rng } from './templates.js';

export interface OrgOptions {
  org?: string;
  repos: number;
  seed?: number;
  /** Most workflow files per repository (default 30). */
  maxWorkflows?: number;
}

export interface GeneratedOrg {
  org: SimOrg;
  installation: SimInstallation;
  repos: SimRepo[];
}

/** mulberry32 seeded from (seed, index, salt): the same inputs always give the same stream. */
export function rngFor(seed: number, index: number, salt = 0): Rng {
  return mulberry32((Math.imul(seed ^ 0x9e3779b9, 2654435761) ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(salt + 7, 0xc2b2ae35)) >>> 0);
}

const WORDS = ['llm', 'vision', 'speech', 'ranker', 'embed', 'diffusion', 'tabular', 'forecast', 'nlp', 'rl', 'detector', 'tokenizer', 'serving', 'feature-store', 'eval'];
const SUFFIX = ['train', 'serve', 'data', 'lib', 'infra', 'bench', 'pipeline', 'api', 'sdk', 'notebooks'];
const SECRETS = ['PYPI_TOKEN', 'HF_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'WANDB_API_KEY', 'DOCKERHUB_TOKEN', 'CODECOV_TOKEN'];
const ENVS = ['production', 'staging', 'pypi', 'gpu-cluster'];

function repoSettings(seed: number, i: number, org: string, ids: () => number): Omit<SimRepo, 'id' | 'nodeId' | 'owner' | 'name' | 'checkRuns' | 'issues' | 'labels' | 'pinned'> {
  const rng = rngFor(seed, i, 1);
  const visibility = rng() < 0.7 ? 'public' : rng() < 0.85 ? 'private' : 'internal';
  const archived = rng() < 0.05;
  const fork = rng() < 0.05;
  const protection: SimRepo['protection'] = new Map();
  if (rng() < 0.5) {
    const reviews = rng() < 0.8;
    protection.set('main', {
      requiredApprovingReviewCount: reviews ? 1 + Math.floor(rng() * 2) : null, dismissStaleReviews: rng() < 0.5,
      requireCodeOwnerReviews: rng() < 0.3, requireLastPushApproval: rng() < 0.3, enforceAdmins: rng() < 0.4,
      allowForcePushes: rng() < 0.1, allowDeletions: rng() < 0.1, requiredStatusChecks: rng() < 0.6 ? ['test'] : [],
    });
  }
  const rulesets: SimRuleset[] = [];
  if (rng() < 0.2) {
    rulesets.push({
      id: ids(), name: 'protect-main', target: 'branch', enforcement: rng() < 0.8 ? 'active' : 'evaluate', sourceType: 'Repository',
      include: ['~DEFAULT_BRANCH'], exclude: [],
      bypassActors: rng() < 0.5 ? [{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }] : [],
      rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }, { type: 'pull_request', parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } }],
    });
  }
  const environments: SimEnvironment[] = [];
  const envCount = Math.floor(rng() * 3.5);
  for (const name of ENVS.slice(0, envCount)) {
    const reviewed = rng() < 0.5;
    const custom = rng() < 0.3;
    environments.push({
      id: ids(), name, reviewers: reviewed ? [{ type: 'Team', id: 9, login: 'ml-leads' }] : [], preventSelfReview: reviewed && rng() < 0.5,
      waitTimer: rng() < 0.2 ? 30 : 0, branchPolicy: custom ? { protectedBranches: false, customBranchPolicies: true } : rng() < 0.3 ? { protectedBranches: true, customBranchPolicies: false } : null,
      branchPolicies: custom ? [{ id: ids(), name: 'main', type: 'branch' }] : [], secrets: rng() < 0.5 ? [pick(rng, SECRETS)] : [], customRules: [],
    });
  }
  const secrets = SECRETS.filter(() => rng() < 0.25).map((name) => ({ name, created_at: '2025-01-01T00:00:00Z', updated_at: '2025-06-01T00:00:00Z' }));
  return {
    visibility, archived, fork, defaultBranch: 'main', createdAt: `2025-${String(1 + (i % 12)).padStart(2, '0')}-01T00:00:00Z`,
    description: `${org} repository ${i}`, protection, rulesets, environments, secrets,
    actions: {
      enabled: true, allowedActions: rng() < 0.2 ? 'selected' : 'all', shaPinningRequired: rng() < 0.1,
      defaultWorkflowPermissions: rng() < 0.3 ? 'write' : 'read', canApprovePullRequestReviews: rng() < 0.1,
      forkPrApproval: pick(rng, ['first_time_contributors_new_to_github', 'first_time_contributors', 'all_external_contributors'] as const),
      forkPrPrivate: { run: rng() < 0.3, writeTokens: rng() < 0.1, secrets: rng() < 0.1, requireApproval: rng() < 0.7 },
    },
    runners: rng() < 0.1 ? 1 + Math.floor(rng() * 3) : 0,
    secretScanning: rng() < 0.7 ? 'enabled' : 'disabled',
  };
}

/** The files of repository `i`: workflows, Python project files, and sometimes model weights. */
export function repoFiles(seed: number, i: number, maxWorkflows = 30): Map<string, Buffer> {
  const rng = rngFor(seed, i, 2);
  const files = new Map<string, Buffer>();
  const count = 1 + Math.floor(rng() * rng() * maxWorkflows);
  const pinned = rng() < 0.25;
  const seen = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    const w = workflow(rng, pinned);
    const n = (seen.get(w.kind) ?? 0) + 1;
    seen.set(w.kind, n);
    files.set(`.github/workflows/${w.kind}${n > 1 ? `-${n}` : ''}.yml`, Buffer.from(w.text));
  }
  files.set('README.md', Buffer.from(`# Repository ${i}\n\nTrains and serves a model.\n`));
  files.set('requirements.txt', Buffer.from(['torch==2.4.1', 'transformers>=4.44', 'numpy', rng() < 0.3 ? 'internal-utils' : 'pytest==8.3.3'].join('\n') + '\n'));
  files.set('src/train.py', Buffer.from(`import torch\n\n\ndef main():\n    model = torch.nn.Linear(4, 2)\n    torch.save(model.state_dict(), "models/model.pt")\n\n\nif __name__ == "__main__":\n    main()\n`));
  if (rng() < 0.3) files.set('Dockerfile', Buffer.from(`FROM python:3.11${rng() < 0.5 ? '' : '@sha256:' + 'a'.repeat(64)}\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n`));
  if (rng() < 0.15) {
    files.set('models/model.safetensors', tinySafetensors());
    files.set('models/classifier.pkl', rng() < 0.3 ? DANGEROUS_PICKLE : SAFE_PICKLE);
  }
  return files;
}

export function repoName(seed: number, i: number): string {
  const rng = rngFor(seed, i, 3);
  return `${pick(rng, WORDS)}-${pick(rng, SUFFIX)}-${i}`;
}

/** Adds an organisation, an installation on it and `repos` generated repositories to the simulator. */
export function generateOrg(sim: GitHubSimulator, options: OrgOptions): GeneratedOrg {
  const login = options.org ?? 'acme-ml';
  const seed = options.seed ?? 42;
  const rng = rngFor(seed, -1, 0);
  const org = sim.addOrg(login, {
    members: new Map([['octo-admin', 'admin'], ['dev-1', 'member']]),
    actions: { enabledRepositories: 'all', allowedActions: 'all', shaPinningRequired: false, defaultWorkflowPermissions: rng() < 0.5 ? 'write' : 'read', canApprovePullRequestReviews: false },
    secrets: [
      { name: 'PYPI_TOKEN', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', visibility: 'all' },
      { name: 'HF_TOKEN', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', visibility: 'private' },
      { name: 'AWS_DEPLOY_KEY', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', visibility: 'selected', selectedRepositories: [] },
    ],
    rulesets: [{
      id: 42, name: 'org-baseline', target: 'branch', enforcement: 'active', sourceType: 'Organization', include: ['~DEFAULT_BRANCH'], exclude: [],
      bypassActors: [{ actor_id: null, actor_type: 'OrganizationAdmin', bypass_mode: 'always' }], rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }],
    }],
  });
  const installation = sim.addInstallation(login);
  const repos: SimRepo[] = [];
  const ids = () => sim.newId();
  for (let i = 0; i < options.repos; i++) {
    const settings = repoSettings(seed, i, login, ids);
    const empty = rngFor(seed, i, 4)() < 0.01;
    repos.push(sim.addRepo(login, repoName(seed, i), {
      ...settings,
      ...(empty ? {} : { generate: () => repoFiles(seed, i, options.maxWorkflows ?? 30) }),
    }));
  }
  // The selected secret is shared with every 20th repository.
  org.secrets[2].selectedRepositories = repos.filter((_r, i) => i % 20 === 0).map((r) => r.name);
  return { org, installation, repos };
}
