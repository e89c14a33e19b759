import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../src/model/types.js';
import { FIX_FIRST_COUNT, isoWeek, MAX_ISSUE_BODY, parseWeeklyState, PUBLISH_RESERVE, renderWeeklyIssue, WeeklyAccumulator } from '../../src/report/weekly.js';
import type { PreviousState, WeeklyInput, WeeklyRepo } from '../../src/report/weekly.js';
import { byteLength } from '../../src/report/markdown.js';

function f(severity: Severity, extra: Partial<Finding> = {}): Finding {
  return { checkId: 'excessive-permissions', severity, message: `a ${severity} problem`, path: '.github/workflows/ci.yml', region: { line: 7, column: 1, endLine: 7, endColumn: 5 }, ...extra };
}

function repo(name: string, findings: Finding[], extra: Partial<WeeklyRepo> = {}): WeeklyRepo {
  return { name, url: `https://github.com/acme/${encodeURIComponent(name)}`, findings, ...extra };
}

function section(body: string, heading: string): string {
  const start = body.indexOf(`## ${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = body.indexOf('\n## ', start + 3);
  return body.slice(start, end < 0 ? undefined : end);
}

const base: WeeklyInput = {
  org: 'acme',
  week: '2026-W48',
  repos: [
    repo('alpha', [f('high')]), // 90 A
    repo('bravo', [f('critical'), f('critical'), f('high')]), // 40 F
    repo('charlie', []), // 100 A
  ],
};

describe('renderWeeklyIssue: scores and trend', () => {
  it('computes the org score as the rounded mean and the change against last week', () => {
    const previous: PreviousState = { week: '2026-W47', scores: { alpha: 80, bravo: 52 }, history: [{ week: '2026-W46', score: 60 }, { week: '2026-W47', score: 70 }] };
    const out = renderWeeklyIssue({ ...base, previous });
    // (90 + 40 + 100) / 3 = 76.67 -> 77; 77 - 70 = +7
    expect(out.body).toContain('**Org score 77 / 100 (C)**, up 7 since last week');
    expect(out.title).toBe('Pipeline Guard — acme posture, week 2026-W48: score 77 (C)');
    expect(out.state.history).toEqual([{ week: '2026-W46', score: 60 }, { week: '2026-W47', score: 70 }, { week: '2026-W48', score: 77 }]);
    expect(out.state.scores).toEqual({ alpha: 90, bravo: 40, charlie: 100 });
    const repos = section(out.body, 'Repositories');
    expect(repos).toMatch(/\[bravo\]\([^)]+\) \| 40 F \| −12 \| 2 \| 1 \| 0 \| 0 \|/);
    expect(repos).toMatch(/\[alpha\]\([^)]+\) \| 90 A \| \+10 \|/);
    expect(repos).toMatch(/\[charlie\]\([^)]+\) \| 100 A \| new \|/);
  });

  it('says down / unchanged / first week', () => {
    const hist = (score: number): PreviousState => ({ week: '2026-W47', scores: {}, history: [{ week: '2026-W47', score }] });
    expect(renderWeeklyIssue({ ...base, previous: hist(80) }).body).toContain('down 3 since last week');
    expect(renderWeeklyIssue({ ...base, previous: hist(77) }).body).toContain('unchanged since last week');
    expect(renderWeeklyIssue(base).body).toContain('first week on record');
  });

  it('keeps at most 12 weeks of history and replaces a re-rendered week', () => {
    const history = Array.from({ length: 14 }, (_, i) => ({ week: `2026-W${String(30 + i).padStart(2, '0')}`, score: 50 + i }));
    const out = renderWeeklyIssue({ ...base, previous: { week: '2026-W43', scores: {}, history } });
    expect(out.state.history).toHaveLength(12);
    expect(out.state.history.at(-1)).toEqual({ week: '2026-W48', score: 77 });
    expect(out.state.history[0].week).toBe('2026-W33');
    // The same week rendered again: the old W48 point is replaced, not duplicated.
    const again = renderWeeklyIssue({ ...base, previous: out.state });
    expect(again.state.history.filter((h) => h.week === '2026-W48')).toEqual([{ week: '2026-W48', score: 77 }]);
  });

  it('does not let an unverified clean repository or an archived one lift the mean', () => {
    const out = renderWeeklyIssue({
      org: 'acme',
      week: '2026-W48',
      repos: [repo('bad', [f('critical')]), repo('unknown', [], { notEvaluated: ['the app lacks Administration (read)'] }), repo('old', [], { archived: true })],
    });
    expect(out.body).toContain('**Org score 75 / 100 (C)**');
    expect(out.body).toContain('1 not evaluated · 1 archived (not scored)');
    expect(out.body).toContain('<details><summary>Not evaluated (1)</summary>');
    expect(out.body).toContain('- unknown: the app lacks Administration \\(read\\)');
    expect(out.state.scores).toEqual({ bad: 75 });
  });
});

describe('renderWeeklyIssue: ordering and sections', () => {
  it('lists repositories worst first and the most severe findings first, linked to the line', () => {
    const out = renderWeeklyIssue(base);
    const repos = section(out.body, 'Repositories');
    expect(repos.indexOf('[bravo]')).toBeLessThan(repos.indexOf('[alpha]'));
    expect(repos.indexOf('[alpha]')).toBeLessThan(repos.indexOf('[charlie]'));
    const fix = section(out.body, 'Fix first');
    const rows = fix.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows.map((r) => r.split(' | ')[1])).toEqual(['critical', 'critical', 'high', 'high']);
    expect(rows[0]).toContain('[.github/workflows/ci.yml L7](https://github.com/acme/bravo/blob/HEAD/.github/workflows/ci.yml#L7)');
    expect(rows[3]).toContain('| alpha |');
  });

  it('caps "Fix first" at 10 and says how many findings there are', () => {
    const many = Array.from({ length: 15 }, (_, i) => f(i < 3 ? 'critical' : 'low', { region: { line: i + 1, column: 1, endLine: i + 1, endColumn: 2 } }));
    const out = renderWeeklyIssue({ org: 'acme', week: '2026-W48', repos: [repo('r', many)] });
    const fix = section(out.body, 'Fix first');
    expect(fix.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(10);
    expect(fix).toContain('15 findings in all');
    expect(fix).toMatch(/\| 3 \| critical \|[^\n]*#L3\)/);
  });

  it('groups findings by OWASP risk from check metadata', () => {
    const out = renderWeeklyIssue({
      org: 'acme',
      week: '2026-W48',
      repos: [repo('a', [f('high'), f('high', { checkId: 'hardcoded-secret' })]), repo('b', [f('low', { checkId: 'hardcoded-secret' })])],
    });
    const owasp = section(out.body, 'By OWASP CI/CD risk');
    expect(owasp).toContain('| CICD-SEC-6 Insufficient Credential Hygiene | 2 | 2 |');
    expect(owasp).toContain('| CICD-SEC-5 Insufficient PBAC \\(Pipeline-Based Access Controls\\) | 1 | 1 |');
    expect(owasp.indexOf('CICD-SEC-6')).toBeLessThan(owasp.indexOf('CICD-SEC-5'));
  });

  it('renders changes, fix PRs and gate decisions', () => {
    const out = renderWeeklyIssue({
      ...base,
      fixPrs: { open: 12, mergedThisWeek: 5 },
      drift: ['Reverted: serving-api ruleset disabled → restored.'],
      gateDecisions: [{ repo: 'bravo', environment: 'prod', decision: 'rejected', reason: 'critical finding open' }],
    });
    expect(out.body).toContain('12 fix-up PRs open, 5 merged this week');
    expect(section(out.body, 'Changed this week')).toContain('- Fix-up PRs: 5 merged this week, 12 open.');
    expect(section(out.body, 'Changed this week')).toContain('- Reverted: serving-api ruleset disabled → restored.');
    expect(section(out.body, 'Deployment gate decisions')).toContain('| bravo | prod | **rejected** | critical finding open |');
  });

  it('draws the grade distribution with bars', () => {
    const out = renderWeeklyIssue(base);
    expect(out.body).toContain(`| A (90+) | 2 ${'█'.repeat(20)} |`);
    expect(out.body).toContain(`| F (<50) | 1 ${'█'.repeat(10)} |`);
    expect(out.body).toContain('| B (80–89) | 0 |');
  });
});

describe('renderWeeklyIssue: mermaid chart', () => {
  it('is absent with one point', () => {
    expect(renderWeeklyIssue(base).body).not.toContain('```mermaid');
  });
  it('draws the history with two or more points', () => {
    const out = renderWeeklyIssue({ ...base, previous: { week: '2026-W47', scores: {}, history: [{ week: '2026-W47', score: 70 }] } });
    expect(out.body).toContain('```mermaid\nxychart-beta\n  title "acme posture score"\n  x-axis [W47, W48]\n  y-axis "score" 0 --> 100\n  line [70, 77]\n```');
  });
});

describe('renderWeeklyIssue: escaping of hostile text', () => {
  const hostile = ['<img src=x>', '@octocat', 'a|b|c', '`tick`', 'x](https://evil)'];
  const out = renderWeeklyIssue({
    org: '@acme<b>',
    week: '2026-W48',
    repos: hostile.map((n) => repo(n, [f('critical', { path: 'wf|<script>.yml', message: 'hi @octocat <img src=x> | `x`' })])),
    drift: ['@admin changed <b>x</b>'],
    gateDecisions: [{ repo: '@octocat', environment: 'p|rod', decision: 'approved', reason: '<img src=x>' }],
  });
  const visible = out.body.slice(0, out.body.lastIndexOf('<!-- pipeline-guard:weekly'));

  it('leaves no HTML tag, no mention and no raw backtick from repository text', () => {
    expect(visible).not.toMatch(/<img|<script|<b>/);
    expect(visible).not.toMatch(/@(octocat|admin|acme)/); // a zero-width joiner follows every @
    expect(visible).toContain('&lt;img src=x&gt;');
    expect(visible).toContain('\\`tick\\`');
    // The only HTML in the visible body is ours.
    expect(visible.replace(/<\/?(details|summary)>/g, '')).not.toMatch(/<[a-z/!]/i);
  });

  it('keeps every table row to its column count', () => {
    for (const t of ['Repositories', 'Fix first', 'Deployment gate decisions']) {
      const lines = section(visible, t).split('\n').filter((l) => l.startsWith('|'));
      const cols = lines[0].split(/(?<!\\)\|/).length;
      for (const l of lines) expect(l.split(/(?<!\\)\|/).length, `${t}: ${l}`).toBe(cols);
    }
  });

  it('does not let a name close the state comment, and the state keeps the raw names', () => {
    const evil = renderWeeklyIssue({ org: 'acme', week: '2026-W48', repos: [repo('x --> <b>y', [])] });
    expect(evil.body.match(/-->/g)?.length).toBe(1);
    expect(parseWeeklyState(evil.body)?.scores).toEqual({ 'x --> <b>y': 100 });
    expect(parseWeeklyState(out.body)?.scores).toEqual(Object.fromEntries(hostile.map((n) => [n, 75])));
  });
});

describe('parseWeeklyState', () => {
  it('round-trips the state embedded by the renderer', () => {
    const out = renderWeeklyIssue({ ...base, previous: { week: '2026-W47', scores: { alpha: 1 }, history: [{ week: '2026-W47', score: 70 }] } });
    expect(parseWeeklyState(out.body)).toEqual(out.state);
    expect(out.body.trimEnd().endsWith('-->')).toBe(true);
  });

  it('reads the long form used in the example issue', () => {
    expect(parseWeeklyState('x\n<!-- pipeline-guard:weekly {"week":"2026-W48","scores":{"ranker-train":34}} -->')).toEqual({ week: '2026-W48', scores: { 'ranker-train': 34 }, history: [] });
  });

  it('does not mistake inherited keys for scores', () => {
    const out = renderWeeklyIssue({ org: 'acme', week: '2026-W48', repos: [repo('constructor', []), repo('__proto__', [f('low')])], previous: { week: '2026-W47', scores: {}, history: [] } });
    expect(section(out.body, 'Repositories')).toMatch(/\[constructor\]\([^)]+\) \| 100 A \| new \|/);
    const back = parseWeeklyState(out.body);
    expect(back && Object.hasOwn(back.scores, '__proto__')).toBe(true);
    expect(back?.scores['__proto__']).toBe(99);
  });

  it.each([
    ['missing', 'just text'],
    ['not a string', undefined],
    ['corrupt JSON', 'x\n<!-- pipeline-guard:weekly {"w":"2026-W48","s":{ -->'],
    ['wrong week', '<!-- pipeline-guard:weekly {"w":"48","s":{}} -->'],
    ['score not a number', '<!-- pipeline-guard:weekly {"w":"2026-W48","s":{"a":"90"}} -->'],
    ['score out of range', '<!-- pipeline-guard:weekly {"w":"2026-W48","s":{"a":900}} -->'],
    ['scores an array', '<!-- pipeline-guard:weekly {"w":"2026-W48","s":[1]} -->'],
    ['bad history', '<!-- pipeline-guard:weekly {"w":"2026-W48","s":{},"h":[["2026-W47","x"]]} -->'],
    ['not at the end', '<!-- pipeline-guard:weekly {"w":"2026-W48","s":{}} -->\nmore text after'],
    ['array JSON', '<!-- pipeline-guard:weekly [1] -->'],
  ])('returns undefined for a %s block', (_why, body) => {
    expect(parseWeeklyState(body)).toBeUndefined();
  });

  it('uses only the block at the end when a quoted one appears earlier', () => {
    const body = '> <!-- pipeline-guard:weekly {"w":"2020-W01","s":{"a":1}} -->\n\n<!-- pipeline-guard:weekly {"w":"2026-W48","s":{"b":2}} -->\n';
    expect(parseWeeklyState(body)).toEqual({ week: '2026-W48', scores: { b: 2 }, history: [] });
  });
});

describe('renderWeeklyIssue: size', () => {
  it('fits 10,000 repositories with long names and many findings, and the state round-trips', () => {
    const repos: WeeklyRepo[] = Array.from({ length: 10_000 }, (_, i) => {
      const name = `${String(i).padStart(5, '0')}-${'very-long-repository-name-'.repeat(4)}`.slice(0, 100);
      const findings = Array.from({ length: 1 + (i % 12) }, (_, j) =>
        f((['critical', 'high', 'medium', 'low'] as const)[(i + j) % 4], { message: `${'m'.repeat(150)} <b>@x</b> ${j}`, path: `.github/workflows/${'w'.repeat(80)}.yml` }),
      );
      return repo(name, findings, i % 500 === 0 ? { notEvaluated: ['missing permission '.repeat(10)] } : {});
    });
    const history = Array.from({ length: 11 }, (_, i) => ({ week: `2026-W${String(37 + i).padStart(2, '0')}`, score: 40 + i }));
    const previous: PreviousState = { week: '2026-W47', scores: Object.fromEntries(repos.slice(0, 200).map((r) => [r.name, 50])), history };
    const out = renderWeeklyIssue({
      org: 'acme',
      week: '2026-W48',
      repos,
      previous,
      fixPrs: { open: 300, mergedThisWeek: 40 },
      drift: Array.from({ length: 2_000 }, (_, i) => `drift ${i} ${'d'.repeat(250)}`),
      gateDecisions: Array.from({ length: 2_000 }, (_, i) => ({ repo: repos[i].name, environment: 'production', decision: 'rejected' as const, reason: 'r'.repeat(200) })),
    });
    expect(byteLength(out.body)).toBeLessThanOrEqual(MAX_ISSUE_BODY - PUBLISH_RESERVE);
    expect(out.body.length).toBeLessThanOrEqual(MAX_ISSUE_BODY);
    const back = parseWeeklyState(out.body);
    expect(back).toEqual(out.state);
    expect(back?.history).toHaveLength(12);
    const kept = Object.keys(back?.scores ?? {}).length;
    expect(kept).toBeGreaterThan(50);
    expect(back?.omitted).toBe(10_000 - kept);
    // The worst repositories are shown in full, the rest summarised per grade; every shown row is in the state.
    const table = section(out.body, 'Repositories');
    const shown = [...table.matchAll(/^\| \[([^\]]+)\]/gm)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThan(20);
    expect(shown.length).toBeLessThan(kept);
    for (const n of shown) expect(Object.hasOwn(back?.scores ?? {}, n.replace(/\\(.)/g, '$1'))).toBe(true);
    expect(table).toMatch(new RegExp(`_…and ${(10_000 - shown.length).toLocaleString('en-US')} more repositories not shown \\(`));
    expect(out.body).toContain('_…and ');
    expect(out.body).toContain('<details><summary>Not evaluated (20)</summary>');
  });
});

describe('renderWeeklyIssue: empty org', () => {
  it('renders without a score, keeps the history and a parseable state', () => {
    const previous: PreviousState = { week: '2026-W47', scores: { a: 50 }, history: [{ week: '2026-W47', score: 50 }] };
    const out = renderWeeklyIssue({ org: 'acme', week: '2026-W48', repos: [], previous });
    expect(out.title).toBe('Pipeline Guard — acme posture, week 2026-W48: no score');
    expect(out.body).toContain('No repository could be scored this week.');
    expect(out.body).not.toContain('## Repositories');
    expect(out.body).not.toContain('## Fix first');
    expect(parseWeeklyState(out.body)).toEqual({ week: '2026-W48', scores: {}, history: [{ week: '2026-W47', score: 50 }] });
  });

  it('rejects a malformed week', () => {
    expect(() => renderWeeklyIssue({ org: 'acme', week: '2026-48', repos: [] })).toThrow(TypeError);
  });
});

describe('WeeklyAccumulator', () => {
  /** Deterministic pseudo-random data: duplicate scores, paths and lines on purpose, so ties are exercised. */
  function org(n: number, seed = 7): WeeklyRepo[] {
    let x = seed;
    const rnd = (k: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % k;
    };
    const sev = ['critical', 'high', 'medium', 'low', 'info'] as const;
    const ids = ['excessive-permissions', 'hardcoded-secret', 'unpinned-action'];
    return Array.from({ length: n }, (_, i) =>
      repo(
        `repo-${String(i).padStart(3, '0')}`,
        Array.from({ length: rnd(12) }, () =>
          f(sev[rnd(5)], { checkId: ids[rnd(3)], path: rnd(5) === 0 ? '' : `.github/workflows/w${rnd(3)}.yml`, region: { line: 1 + rnd(4), column: 1, endLine: 1, endColumn: 2 }, message: `m${rnd(100)}` }),
        ),
        rnd(10) === 0 ? { notEvaluated: Array.from({ length: 1 + rnd(8) }, (_, j) => `reason ${j} ${'z'.repeat(rnd(400))}`) } : rnd(20) === 0 ? { archived: true } : {},
      ),
    );
  }
  const meta = { org: 'acme', week: '2026-W48', previous: { week: '2026-W47', scores: { 'repo-001': 50 }, history: [{ week: '2026-W47', score: 60 }] } };

  it('keeps at most the ten most severe findings, however many a repository has', () => {
    const acc = new WeeklyAccumulator();
    const many = Array.from({ length: 5_000 }, (_, i) => f(i % 997 === 0 ? 'critical' : 'medium', { region: { line: i + 1, column: 1, endLine: i + 1, endColumn: 2 } }));
    acc.add({ name: 'big', url: 'https://github.com/acme/big', findings: many, notEvaluated: [] });
    expect(acc.findingsHeld).toBe(FIX_FIRST_COUNT);
    const input = acc.input({ org: 'acme', week: '2026-W48' });
    expect(input.topFindings).toHaveLength(FIX_FIRST_COUNT);
    expect(input.repos[0].findings).toBeUndefined();
    // 6 criticals (lines 1, 998, 1995, 2992, 3989, 4986) then the first medium lines.
    expect(input.topFindings?.map((t) => `${t.finding.severity}@${t.finding.region?.line}`)).toEqual([
      'critical@1', 'critical@998', 'critical@1995', 'critical@2992', 'critical@3989', 'critical@4986', 'medium@2', 'medium@3', 'medium@4', 'medium@5',
    ]);
    expect(input.repos[0].summary).toMatchObject({ score: 0, counts: { critical: 6, medium: 4_994 } });
    // What the accumulator holds for 5,000 findings stays small (the 10 kept findings and one row).
    expect(JSON.stringify(input).length).toBeLessThan(5_000);
    acc.add({ name: 'other', url: 'https://github.com/acme/other', findings: many, notEvaluated: [] });
    expect(acc.findingsHeld).toBe(FIX_FIRST_COUNT);
  });

  it('keeps only the first not-evaluated reasons, cut to one short line', () => {
    const acc = new WeeklyAccumulator();
    acc.add({ name: 'x', url: 'https://github.com/acme/x', findings: [], notEvaluated: Array.from({ length: 50 }, () => 'y'.repeat(10_000)) });
    const r = acc.input({ org: 'acme', week: '2026-W48' }).repos[0];
    expect(r.notEvaluated).toHaveLength(5);
    expect(r.notEvaluatedCount).toBe(50);
    for (const reason of r.notEvaluated ?? []) expect(reason.length).toBeLessThanOrEqual(200);
  });

  it('renders exactly what the full data renders (scoreboard, Fix first, OWASP, not evaluated)', () => {
    for (const seed of [1, 7, 42]) {
      const repos = org(300, seed);
      const acc = new WeeklyAccumulator();
      for (const r of repos) acc.add(r);
      const full = renderWeeklyIssue({ ...meta, repos });
      const summarised = renderWeeklyIssue(acc.input(meta));
      expect(summarised.body).toBe(full.body);
      expect(summarised.state).toEqual(full.state);
      // And the summary survives a JSON round trip (a queue job can carry it).
      expect(renderWeeklyIssue(JSON.parse(JSON.stringify(acc.input(meta)))).body).toBe(full.body);
    }
  });

  it('ranks "Fix first" as a brute-force sort of every finding does', () => {
    const repos = org(200, 3);
    const acc = new WeeklyAccumulator();
    for (const r of repos) acc.add(r);
    const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 } as const;
    const scoreOf = (fs: readonly Finding[]) => Math.max(0, 100 - fs.reduce((n, x) => n + { critical: 25, high: 10, medium: 3, low: 1, info: 0 }[x.severity], 0));
    const all = repos
      .filter((r) => !r.archived && (r.findings?.length ?? 0) > 0)
      .flatMap((r) => (r.findings ?? []).filter((x) => x.severity !== 'info').map((x) => ({ r: r.name, s: scoreOf(r.findings ?? []), x })));
    all.sort((a, b) => rank[b.x.severity] - rank[a.x.severity] || a.s - b.s || a.r.localeCompare(b.r) || a.x.path.localeCompare(b.x.path) || (a.x.region?.line ?? 0) - (b.x.region?.line ?? 0));
    const expected = all.slice(0, 10).map((e) => `${e.x.severity} ${e.r} ${e.x.path}#${e.x.region?.line}`);
    const got = (acc.input(meta).topFindings ?? []).map((t) => `${t.finding.severity} ${t.repo} ${t.finding.path}#${t.finding.region?.line}`);
    expect(got).toEqual(expected);
    const fix = section(renderWeeklyIssue(acc.input(meta)).body, 'Fix first');
    expect(fix).toContain(`_${all.length.toLocaleString('en-US')} findings in all (info excluded)`);
  });

  it('leaves archived and unevaluated repositories out of the ranking', () => {
    const acc = new WeeklyAccumulator();
    acc.add({ ...repo('old', [f('critical')]), archived: true });
    acc.add(repo('live', [f('low')]));
    expect(acc.input(meta).topFindings?.map((t) => t.repo)).toEqual(['live']);
    expect(acc.size).toBe(2);
  });
});

describe('isoWeek', () => {
  it.each([
    ['2026-11-27T12:00:00Z', '2026-W48'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
    ['2021-01-03T23:59:59Z', '2020-W53'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2026-11-23T00:00:00Z', '2026-W48'],
    ['2026-11-22T23:59:59Z', '2026-W47'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeek(new Date(date))).toBe(week);
  });
});

describe('the organisation score rule shared with the CLI', () => {
  it('leaves out a repository with not-evaluated parts and no finding, keeps every other one', async () => {
    const { countsInOrgScore } = await import('../../src/report/score.js');
    expect(countsInOrgScore(2, 0)).toBe(false);
    expect(countsInOrgScore(2, 1)).toBe(true);
    expect(countsInOrgScore(0, 0)).toBe(true);
  });
  it('the organisation score is the rounded mean of the counted scores, none when nothing counts', async () => {
    const { orgScore } = await import('../../src/report/score.js');
    expect(orgScore([64, 97, 100])).toBe(87);
    expect(orgScore([64, 65])).toBe(65);
    expect(orgScore([])).toBeUndefined();
  });
});
