import { describe, expect, it } from 'vitest';
import { GitHubSimulator, generateOrg, repoFiles } from '../../src/sim/index.js';

const headOf = (sim: GitHubSimulator, owner: string, name: string) => {
  const r = sim.repo(owner, name)!;
  return sim.content(r)?.refs.get(`refs/heads/${r.defaultBranch}`);
};

describe('org generator', () => {
  it('is deterministic: the same seed gives the same repositories, settings and commits', () => {
    const a = new GitHubSimulator();
    const b = new GitHubSimulator();
    const c = new GitHubSimulator();
    const ga = generateOrg(a, { repos: 40, seed: 7 });
    const gb = generateOrg(b, { repos: 40, seed: 7 });
    const gc = generateOrg(c, { repos: 40, seed: 8 });
    const view = (r: (typeof ga.repos)[number]) => ({ name: r.name, visibility: r.visibility, archived: r.archived, fork: r.fork, protection: [...r.protection], rulesets: r.rulesets.length, envs: r.environments.map((e) => [e.name, e.reviewers.length]), actions: r.actions, secrets: r.secrets });
    expect(ga.repos.map(view)).toEqual(gb.repos.map(view));
    expect(ga.repos.map(view)).not.toEqual(gc.repos.map(view));
    const heads = (sim: GitHubSimulator, g: typeof ga) => g.repos.map((r) => headOf(sim, r.owner, r.name));
    expect(heads(a, ga)).toEqual(heads(b, gb));
    expect(heads(a, ga).filter(Boolean).length).toBeGreaterThan(30);
  });

  it('generates content lazily, drops it beyond the cache and regenerates it identically', () => {
    const sim = new GitHubSimulator({ cachedRepos: 3 });
    const g = generateOrg(sim, { repos: 10, seed: 1 });
    expect(g.repos.filter((r) => r.content).length).toBe(0);
    const withContent = g.repos.filter((r) => r.generate);
    const first = headOf(sim, 'acme-ml', withContent[0].name);
    for (const r of withContent) sim.content(r);
    expect(g.repos.filter((r) => r.content).length).toBe(3);
    expect(withContent[0].content).toBeUndefined();
    expect(headOf(sim, 'acme-ml', withContent[0].name)).toBe(first);
  });

  it('varies settings and workflow templates across an organisation', () => {
    const sim = new GitHubSimulator();
    const { repos, org } = generateOrg(sim, { repos: 300, seed: 42 });
    const count = (f: (r: (typeof repos)[number]) => boolean) => repos.filter(f).length;
    expect(count((r) => r.archived)).toBeGreaterThan(3);
    expect(count((r) => r.fork)).toBeGreaterThan(3);
    expect(count((r) => r.protection.size > 0)).toBeGreaterThan(100);
    expect(count((r) => r.protection.size === 0)).toBeGreaterThan(100);
    expect(count((r) => r.rulesets.length > 0)).toBeGreaterThan(20);
    expect(count((r) => r.environments.some((e) => e.reviewers.length > 0))).toBeGreaterThan(20);
    expect(count((r) => r.environments.some((e) => e.reviewers.length === 0))).toBeGreaterThan(20);
    expect(count((r) => r.actions.defaultWorkflowPermissions === 'write')).toBeGreaterThan(30);
    expect(count((r) => r.visibility === 'private')).toBeGreaterThan(20);
    expect(['read', 'write']).toContain(org.actions.defaultWorkflowPermissions);

    const all = repos.map((_r, i) => repoFiles(42, i));
    const workflows = all.map((files) => [...files.keys()].filter((p) => p.startsWith('.github/workflows/')).length);
    expect(Math.min(...workflows)).toBe(1);
    expect(Math.max(...workflows)).toBeGreaterThan(15);
    expect(Math.max(...workflows)).toBeLessThanOrEqual(30);
    const texts = all.flatMap((files) => [...files].filter(([p]) => p.endsWith('.yml')).map(([, b]) => b.toString()));
    for (const marker of ['pytest', 'self-hosted', 'twine upload', 'docker/build-push-action', 'pull_request_target', 'github.event.pull_request.head.sha', 's3://', 'huggingface-cli upload', 'curl -sSL']) {
      expect(texts.some((t) => t.includes(marker)), marker).toBe(true);
    }
    expect(texts.some((t) => /uses: actions\/checkout@[0-9a-f]{40}/.test(t))).toBe(true);
    expect(texts.some((t) => /uses: actions\/checkout@v4\n/.test(t))).toBe(true);
    const pickles = all.map((files) => files.get('models/classifier.pkl')).filter((b): b is Buffer => b !== undefined);
    // Protocol 2 GLOBAL opcode 'c' followed by "os\nsystem\n": a pickle that runs a command when loaded.
    expect(pickles.some((p) => p.includes(Buffer.from('cos\nsystem\n', 'latin1')))).toBe(true);
    expect(pickles.some((p) => !p.includes(Buffer.from('cos\nsystem\n', 'latin1')))).toBe(true);
    expect(all.some((files) => files.has('models/model.safetensors'))).toBe(true);
  });
});
