/**
 * W20 dependency-confusion: package-index settings that let a public package shadow a private one.
 * pip merges `--extra-index-url` indexes with PyPI and takes the highest version of a name on any
 * of them; uv's `unsafe-*` index strategies and Poetry `supplemental` sources do the same.
 */
import type { Check, CheckInput } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import { lower } from '../../model/types.js';
import type { KeyValue, WorkflowFile } from '../../workflows/model.js';
import { mapperFor } from '../../workflows/expressions.js';
import { pointRegion, region } from '../locs.js';
import { shellScript, stripComment } from '../../workflows/shell.js';
import { redactUrl, whereLabel } from './lib-text.js';

type IndexKind = 'pypi' | 'public' | 'open-upload' | 'private';

/** Public indexes that serve only their vendor's wheels (the torch/CUDA install lines). */
const PUBLIC_INDEX_HOSTS = /^(download\.pytorch\.org|pypi\.nvidia\.com|pypi\.ngc\.nvidia\.com|developer\.download\.nvidia\.com|storage\.googleapis\.com|data\.pyg\.org|wheels\.vllm\.ai|flashinfer\.ai|abetlen\.github\.io|pypi\.fury\.io\/intel|intel-extension-for-pytorch\.s3\.amazonaws\.com|pytorch-extension\.intel\.com|aiinfra\.pkgs\.visualstudio\.com|download\.openmmlab\.com|mirrors\.aliyun\.com|pypi\.tuna\.tsinghua\.edu\.cn)$/i;

export function classifyIndex(url: string): IndexKind {
  const v = url.replace(/^["']|["']$/g, '');
  if (/\$/.test(v)) return 'private';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'private';
  }
  if (u.username || u.password) return 'private';
  const host = u.hostname.toLowerCase();
  if (host === 'pypi.org' || host === 'pypi.python.org' || host === 'files.pythonhosted.org') return 'pypi';
  // Anyone can publish there, so an extra index on them is a confusion vector by itself.
  if (host === 'test.pypi.org' || host === 'pypi.anaconda.org') return 'open-upload';
  if (PUBLIC_INDEX_HOSTS.test(host)) return 'public';
  return 'private';
}

function severityOf(kind: IndexKind, primaryCustom: boolean, hashed: boolean): Severity | undefined {
  let s: Severity | undefined;
  if (kind === 'pypi') s = primaryCustom ? 'high' : undefined;
  else if (kind === 'public') s = 'medium';
  else s = 'high';
  return s && hashed ? lower(s) : s;
}

function why(kind: IndexKind, primaryCustom: boolean): string {
  if (kind === 'pypi' && primaryCustom) return 'PyPI is merged with the private primary index, so a public package can shadow a private name';
  if (kind === 'public') return 'pip merges it with PyPI and takes the highest version of each name from either (the torchtriton attack)';
  if (kind === 'open-upload') return 'anyone can publish on that index and pip takes the highest version from either';
  return 'pip merges it with PyPI, so a public package with the same name and a higher version wins over the private one';
}

interface Hit {
  at: number;
  severity: Severity;
  message: string;
  data: Record<string, string>;
}

const UV_CMD = /\b(?:uv\s+(?:pip|add|sync|lock|run|tool|export|venv)|uvx)\b/;
const UNSAFE = /--index-strategy(?:=|\s+)["']?(unsafe-best-match|unsafe-first-match)/;
const PRIMARY = /(?:^|\s)(?:--index-url|-i)(?:=|\s+)(\S+)/;

/** Replaces a value that is only `$VAR` / `${VAR}` by its literal definition, when one is known. */
function resolveVar(value: string, vars: ReadonlyMap<string, string>): string {
  const v = value.replace(/^["']|["']$/g, '');
  const m = /^\$\{?([A-Za-z_]\w*)\}?$/.exec(v) ?? /^\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}$/.exec(v);
  const def = m ? vars.get(m[1]) : undefined;
  return def !== undefined && !def.includes('$') ? def : v;
}

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

const SHELL_HINT = /index-strategy|extra-index-url|PIP_EXTRA_INDEX_URL|UV_INDEX_STRATEGY|poetry/;

/** Findings in one shell logical line (a `run:` line or a Dockerfile RUN). */
export function shellHits(fullLine: string, scriptHashed: boolean, vars: ReadonlyMap<string, string> = new Map()): Hit[] {
  // Every finding below needs one of these words: skip the regexes on the other lines.
  if (!SHELL_HINT.test(fullLine)) return [];
  const out: Hit[] = [];
  const line = stripComment(fullLine);
  const uv = UV_CMD.test(line);
  const unsafe = UNSAFE.exec(line);
  const hashed = scriptHashed || /--require-hashes\b/.test(line);
  const primary = PRIMARY.exec(line);
  const primaryCustom = !!primary && classifyIndex(resolveVar(primary[1], vars)) !== 'pypi';
  const extras: { at: number; url: string; kind: IndexKind; sev?: Severity }[] = [];
  const extraRe = /(?:--extra-index-url|\bextra-index-url)(?:=|\s+)(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = extraRe.exec(line)) !== null) {
    const url = resolveVar(m[1], vars);
    const kind = classifyIndex(url);
    extras.push({ at: m.index, url, kind, sev: severityOf(kind, primaryCustom, hashed) });
  }
  if (uv) {
    // uv's default first-index strategy does not merge indexes: only an unsafe strategy does.
    if (unsafe) {
      const worst = extras.map((e) => e.sev).filter((x): x is Severity => !!x).sort((a, b) => RANK[b] - RANK[a])[0];
      const shown = extras.length > 0 ? ` with extra index "${redactUrl(extras[0].url)}"` : '';
      const sev = extras.length > 0 ? worst : 'medium';
      if (sev) out.push({ at: unsafe.index, severity: sev, message: `uv --index-strategy ${unsafe[1]}${shown} takes the best version of each name from any index, PyPI included, so a public package can replace a private one`, data: { setting: 'index-strategy' } });
    }
  } else {
    for (const e of extras) {
      if (!e.sev) continue;
      const via = /\bpip3?\s+config\s+set\b/.test(line) ? 'pip config sets extra-index-url' : '--extra-index-url';
      out.push({ at: e.at, severity: e.sev, message: `${via} "${redactUrl(e.url)}": ${why(e.kind, primaryCustom)}`, data: { setting: 'extra-index-url', index: redactUrl(e.url), indexKind: e.kind } });
    }
  }
  const envRe = /\b(PIP_EXTRA_INDEX_URL|UV_INDEX_STRATEGY)=(\S*)/g;
  while ((m = envRe.exec(line)) !== null) {
    const h = envHit(m[1], resolveVar(m[2], vars), hashed);
    if (h) out.push({ ...h, at: m.index });
  }
  const poetry = /\bpoetry\s+source\s+add\b[^\n]*--priority(?:=|\s+)(supplemental|secondary)\b/.exec(line);
  if (poetry) {
    out.push({ at: poetry.index, severity: 'high', message: `a Poetry source with priority "${poetry[1]}" is consulted only after PyPI, so a public package with the same name wins`, data: { setting: 'poetry-priority' } });
  }
  return out;
}

/** `PIP_EXTRA_INDEX_URL` / `UV_INDEX_STRATEGY` set in an environment (workflow env, ENV, export). */
function envHit(name: string, value: string, hashed: boolean): Omit<Hit, 'at'> | undefined {
  const v = value.replace(/^["']|["']$/g, '').trim();
  if (name === 'UV_INDEX_STRATEGY') {
    if (!/^unsafe-(best|first)-match$/.test(v)) return undefined;
    return { severity: 'high', message: `UV_INDEX_STRATEGY=${v} lets a package from any index, PyPI included, replace one from the private index`, data: { setting: 'UV_INDEX_STRATEGY' } };
  }
  // No value (Dockerfile `ARG PIP_EXTRA_INDEX_URL`) or an expression: an index only known at run time, usually private.
  const url = v.split(/\s+/)[0] ?? '';
  const kind = url === '' || url.includes('${{') ? 'private' : classifyIndex(url);
  const sev = severityOf(kind, false, hashed);
  if (!sev) return undefined;
  const shown = url === '' ? 'an index given at build time' : url.includes('${{') ? 'an index from an expression' : `"${redactUrl(url)}"`;
  return { severity: sev, message: `PIP_EXTRA_INDEX_URL adds ${shown}: ${why(kind, false)}`, data: { setting: 'PIP_EXTRA_INDEX_URL', indexKind: kind } };
}

function scanWorkflow(w: WorkflowFile, out: FindingDraft[]): void {
  const mapper = mapperFor(w);
  const envFindings = (kvs: KeyValue[], where: string, job?: string, step?: string): void => {
    for (const kv of kvs) {
      if (kv.key !== 'PIP_EXTRA_INDEX_URL' && kv.key !== 'UV_INDEX_STRATEGY') continue;
      if (kv.value === undefined) continue;
      const h = envHit(kv.key, kv.value, false);
      if (!h) continue;
      out.push({ severity: h.severity, message: `${h.message} (${where}).`, path: w.path, region: region(kv.loc), job, step, fixable: false, data: h.data });
    }
  };
  envFindings(w.env, 'workflow env');
  for (const job of w.jobs) {
    const jobId = job.id === '(composite)' ? undefined : job.id;
    envFindings(job.env, whereLabel(job, undefined) + ' env', jobId);
    for (const step of job.steps) {
      const where = whereLabel(job, step);
      envFindings(step.env, where, jobId, `step ${step.index + 1}`);
      if (!step.run) continue;
      const lines = shellScript(w, step.run);
      if (!lines.some((l) => SHELL_HINT.test(l.text))) continue;
      const hashed = lines.some((l) => /--require-hashes\b/.test(l.text));
      const vars = new Map<string, string>();
      for (const kv of [...w.env, ...job.env, ...step.env]) if (kv.value !== undefined) vars.set(kv.key, kv.value);
      for (const line of lines) {
        for (const h of shellHits(line.text, hashed, vars)) {
          const pos = mapper.pos(line.offsetAt(h.at));
          out.push({ severity: h.severity, message: `${h.message} (${where}).`, path: w.path, region: pointRegion(pos.line, pos.column, 1), job: jobId, step: `step ${step.index + 1}`, fixable: false, data: h.data });
        }
      }
    }
  }
}

function scanDockerfiles(input: CheckInput, out: FindingDraft[]): void {
  for (const d of input.dockerfiles) {
    const hashed = d.instructions.some((i) => i.keyword === 'RUN' && /--require-hashes\b/.test(i.args));
    const vars = new Map<string, string>();
    for (const ins of d.instructions) {
      const hits: Omit<Hit, 'at'>[] = [];
      if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
        for (const kv of ins.args.matchAll(/(?:^|\s)([A-Za-z_]\w*)=("[^"]*"|'[^']*'|\S*)/g)) vars.set(kv[1], kv[2].replace(/^["']|["']$/g, ''));
      }
      if (ins.keyword === 'RUN') hits.push(...shellHits(ins.args, hashed, vars));
      if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
        const m = /(?:^|\s)(PIP_EXTRA_INDEX_URL|UV_INDEX_STRATEGY)(?:=(\S*)|\s+(\S.*))?/.exec(ins.args);
        if (m) {
          const h = envHit(m[1], m[2] ?? (ins.keyword === 'ENV' ? m[3] ?? '' : ''), hashed);
          if (h) hits.push(h);
        }
      }
      for (const h of hits) {
        out.push({ severity: h.severity, message: `${h.message} (Dockerfile ${ins.keyword} instruction).`, path: d.path, region: pointRegion(ins.line, 1, ins.keyword.length), fixable: false, data: h.data });
      }
    }
  }
}

function lineHits(text: string, fn: (line: string, n: number) => Omit<Hit, 'at'> & { col: number } | undefined): { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] {
  const out: { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] = [];
  text.split('\n').forEach((raw, i) => {
    const h = fn(raw.replace(/\r$/, ''), i + 1);
    if (h) out.push({ line: i + 1, hit: h });
  });
  return out;
}

/** requirements*.txt / constraints: line-level `--extra-index-url` options. */
function scanRequirements(text: string): { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] {
  const hashed = /--hash[=\s]/.test(text);
  const primary = /^\s*(?:--index-url|-i)(?:=|\s+)(\S+)/m.exec(text);
  const primaryCustom = !!primary && classifyIndex(primary[1]) !== 'pypi';
  return lineHits(text, (line) => {
    const m = /^(\s*)--extra-index-url(?:=|\s+)(\S+)/.exec(line);
    if (!m) return undefined;
    const kind = classifyIndex(m[2]);
    const sev = severityOf(kind, primaryCustom, hashed);
    if (!sev) return undefined;
    return { col: m[1].length + 1, severity: sev, message: `--extra-index-url "${redactUrl(m[2])}" in a requirements file: ${why(kind, primaryCustom)}.`, data: { setting: 'extra-index-url', index: redactUrl(m[2]), indexKind: kind } };
  });
}

/** pip.conf / pip.ini: `extra-index-url` in any section (values may continue on indented lines). */
function scanPipConf(text: string): { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] {
  const primary = /^\s*index[-_]url\s*[=:]\s*(\S+)/im.exec(text);
  const primaryCustom = !!primary && classifyIndex(primary[1]) !== 'pypi';
  const lines = text.split('\n');
  return lineHits(text, (line, n) => {
    const m = /^(\s*)extra[-_]index[-_]url\s*[=:]\s*(\S*)/i.exec(line);
    if (!m) return undefined;
    const urls = [m[2]];
    for (let k = n; k < lines.length && /^\s+\S/.test(lines[k]) && !/[=:]\s/.test(lines[k]); k++) urls.push(lines[k].trim());
    const worst = urls.filter(Boolean).map((u) => ({ u, kind: classifyIndex(u) })).map((x) => ({ ...x, sev: severityOf(x.kind, primaryCustom, false) })).filter((x) => x.sev).sort((a, b) => (a.sev === 'high' ? -1 : b.sev === 'high' ? 1 : 0))[0];
    if (!worst?.sev) return undefined;
    return { col: m[1].length + 1, severity: worst.sev, message: `pip configuration sets extra-index-url "${redactUrl(worst.u)}": ${why(worst.kind, primaryCustom)}.`, data: { setting: 'extra-index-url', index: redactUrl(worst.u), indexKind: worst.kind } };
  });
}

interface TomlTable { header: string; line: number; keys: Map<string, { value: string; line: number; col: number }> }

/** A line-level TOML reader good enough for index tables: `[a.b]`, `[[a.b]]`, `key = value`. */
function tomlTables(text: string): TomlTable[] {
  const tables: TomlTable[] = [{ header: '', line: 1, keys: new Map() }];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const h = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (h) {
      tables.push({ header: h[1] === '[[' ? `[[${h[2]}]]` : h[2], line: i + 1, keys: new Map() });
      return;
    }
    const kv = /^(\s*)([A-Za-z0-9_.-]+|"[^"]+")\s*=\s*(.*?)\s*(#.*)?$/.exec(line);
    if (kv) tables[tables.length - 1].keys.set(kv[2].replace(/"/g, ''), { value: kv[3], line: i + 1, col: kv[1].length + 1 });
  });
  return tables;
}

const str = (v: string | undefined): string => (v ?? '').replace(/^["']|["']$/g, '');

/** pyproject.toml / uv.toml / poetry.toml. */
function scanToml(path: string, text: string): { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] {
  const out: { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] = [];
  const tables = tomlTables(text);
  const isUvToml = /(^|\/)uv\.toml$/i.test(path);
  const uvTable = tables.find((t) => t.header === 'tool.uv');
  const uvIndexes = tables.filter((t) => t.header === '[[tool.uv.index]]' || (isUvToml && t.header === '[[index]]'));
  const sources = tables.filter((t) => t.header === 'tool.uv.sources' || (isUvToml && t.header === 'sources'));
  const pinnedIndexNames = new Set<string>();
  for (const s of sources) for (const { value } of s.keys.values()) { const m = /index\s*=\s*"([^"]+)"/.exec(value); if (m) pinnedIndexNames.add(m[1]); }
  for (const t of [uvTable, isUvToml ? tables[0] : undefined, isUvToml ? tables.find((x) => x.header === 'pip') : undefined, tables.find((x) => x.header === 'tool.uv.pip')]) {
    const strat = t?.keys.get('index-strategy');
    if (strat && /unsafe-(best|first)-match/.test(strat.value)) {
      const anyIndex = uvIndexes.length > 0 || !!t?.keys.get('extra-index-url');
      out.push({ line: strat.line, hit: { col: strat.col, severity: anyIndex ? 'high' : 'medium', message: `uv index-strategy ${str(strat.value)} lets a package from any index, PyPI included, replace one from the private index.`, data: { setting: 'index-strategy' } } });
    }
  }
  for (const idx of uvIndexes) {
    const url = str(idx.keys.get('url')?.value);
    const name = str(idx.keys.get('name')?.value);
    if (!url || /true/.test(idx.keys.get('explicit')?.value ?? '') || /true/.test(idx.keys.get('default')?.value ?? '')) continue;
    if (classifyIndex(url) !== 'private' || pinnedIndexNames.has(name)) continue;
    out.push({ line: idx.line, hit: { col: 1, severity: 'low', message: `uv index "${name || redactUrl(url)}" is not explicit and no package is pinned to it in [tool.uv.sources], so internal packages are not tied to the private index.`, data: { setting: 'uv-index', index: redactUrl(url) } } });
  }
  for (const src of tables.filter((t) => t.header === '[[tool.poetry.source]]')) {
    const prio = src.keys.get('priority');
    const secondary = src.keys.get('secondary');
    const entry = prio && /supplemental/.test(prio.value) ? prio : secondary && /true/.test(secondary.value) ? secondary : undefined;
    if (!entry) continue;
    const url = str(src.keys.get('url')?.value);
    const kind = url ? classifyIndex(url) : 'private';
    if (kind === 'pypi') continue;
    const which = entry === prio ? 'priority "supplemental"' : '"secondary = true"';
    out.push({ line: entry.line, hit: { col: entry.col, severity: kind === 'public' ? 'medium' : 'high', message: `Poetry source "${str(src.keys.get('name')?.value)}" has ${which}: it is consulted only when PyPI lacks a name, so a public package with the same name wins.`, data: { setting: 'poetry-priority' } } });
  }
  return out;
}

export const dependencyConfusion: Check = {
  meta: {
    id: 'dependency-confusion',
    title: 'Package index setting that lets a public package shadow a private one',
    defaultSeverity: 'high',
    severityNote:
      'High for private, unknown or open-upload indexes merged with PyPI and for uv unsafe index strategies; medium for vendor indexes such as download.pytorch.org; one step lower when installs are hash-pinned; low for non-explicit uv indexes with no package pinned to them.',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-3'], ssdf: ['PW.4.1', 'PW.4.4'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        'pip treats `--extra-index-url` indexes as equals of PyPI and installs the highest version of a name found on any of them. ' +
        'Anyone can publish a package on PyPI with the name of your internal package and a higher version, and CI installs it. ' +
        'In December 2022 PyTorch nightly installs (`--extra-index-url https://download.pytorch.org/whl/nightly/cpu`) pulled a ' +
        'malicious `torchtriton` from PyPI that sent SSH keys and files to the attacker (MITRE ATLAS AML.CS0015).',
      howToFix:
        'Use `--index-url` (one index) when every package comes from the same place, e.g. the torch/torchvision/torchaudio triplet. ' +
        'With uv keep the default `first-index` strategy, mark private indexes `explicit = true` and pin internal packages with ' +
        '`[tool.uv.sources] pkg = { index = "name" }`. With Poetry use `priority = "explicit"` and `source = "name"` per package. ' +
        'Install from a hash-pinned lock file (`pip install --require-hashes -r requirements.txt`, `uv sync --locked`).',
      references: [
        'https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-extra-index-url',
        'https://docs.astral.sh/uv/concepts/indexes/#searching-across-multiple-indexes',
        'https://python-poetry.org/docs/repositories/#package-source-constraint',
        'https://pytorch.org/blog/compromised-nightly-dependency/',
        'https://atlas.mitre.org/studies/AML.CS0015',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of [...input.workflows, ...input.actions]) scanWorkflow(w, out);
    scanDockerfiles(input, out);
    for (const f of input.filesWithRole('deps')) {
      const text = input.textOf(f);
      if (text === undefined) continue;
      const base = (f.path.split('/').pop() ?? '').toLowerCase();
      let hits: { line: number; hit: Omit<Hit, 'at'> & { col: number } }[] = [];
      if (/^(requirements.*\.(txt|in)|constraints.*\.txt)$/.test(base)) hits = scanRequirements(text);
      else if (base === 'pip.conf' || base === 'pip.ini') hits = scanPipConf(text);
      else if (base.endsWith('.toml')) hits = scanToml(f.path, text);
      for (const { line, hit } of hits) {
        out.push({ severity: hit.severity, message: hit.message, path: f.path, region: pointRegion(line, hit.col, 1), fixable: false, data: hit.data });
      }
    }
    return out;
  },
};

