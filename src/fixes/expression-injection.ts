/**
 * expression-injection fix (W2): lift each attacker-controlled `${{ }}` out of the script into the
 * step's `env:` and reference the variable the way the step's shell reads it:
 * bash/sh `"${VAR}"` (bare `${VAR}` inside double quotes, `'"${VAR}"'` inside single quotes),
 * pwsh `$env:VAR`, cmd `%VAR%`, github-script `process.env.VAR`.
 * An existing identical env entry is reused; contexts the runner already exports (`github.head_ref` is
 * `$GITHUB_HEAD_REF`) and `env.X` need no new entry.
 */
import type { Finding } from '../model/types.js';
import type { Job, Scalar, Step, WorkflowFile } from '../workflows/model.js';
import { expressionsIn, type ExpressionSpan } from '../workflows/expressions.js';
import { appendToChildMap, blockMapAt, jobOf, stepAt } from './common.js';
import { offsetOf, yamlScalar } from './text.js';
import type { FixEdit, Fixer, FixerOutput, Splice } from './types.js';

const CHECK_ID = 'expression-injection';

/** Contexts the runner exports as default environment variables. */
const DEFAULT_ENV: Record<string, string> = {
  'github.head_ref': 'GITHUB_HEAD_REF',
  'github.base_ref': 'GITHUB_BASE_REF',
  'github.ref_name': 'GITHUB_REF_NAME',
  'github.ref': 'GITHUB_REF',
  'github.actor': 'GITHUB_ACTOR',
  'github.triggering_actor': 'GITHUB_TRIGGERING_ACTOR',
  'github.event_name': 'GITHUB_EVENT_NAME',
  'github.repository': 'GITHUB_REPOSITORY',
  'github.repository_owner': 'GITHUB_REPOSITORY_OWNER',
  'github.sha': 'GITHUB_SHA',
  'github.workflow': 'GITHUB_WORKFLOW',
  'github.run_id': 'GITHUB_RUN_ID',
  'github.run_number': 'GITHUB_RUN_NUMBER',
};

type ShellKind = 'posix' | 'pwsh' | 'cmd' | 'script' | 'other';

function shellKind(w: WorkflowFile, job: Job, step: Step, sink: string): { kind: ShellKind; name: string } {
  if (sink === 'with.script') return { kind: 'script', name: 'github-script' };
  const fromDoc = (path: (string | number)[]): string | undefined => {
    const v = w.doc.getIn(path);
    return typeof v === 'string' ? v : undefined;
  };
  const shell =
    step.shell?.value ??
    (w.kind === 'workflow' ? fromDoc(['jobs', job.id, 'defaults', 'run', 'shell']) ?? fromDoc(['defaults', 'run', 'shell']) : undefined);
  if (shell !== undefined) {
    const s = shell.trim().toLowerCase();
    const base = s.split(/\s+/)[0].split('/').pop() ?? s;
    if (['bash', 'sh', 'zsh', 'dash', 'ksh'].includes(base)) return { kind: 'posix', name: base };
    if (base === 'pwsh' || base === 'powershell') return { kind: 'pwsh', name: base };
    if (base === 'cmd') return { kind: 'cmd', name: base };
    return { kind: 'other', name: s };
  }
  const windows = job.runsOn?.labels.some((l) => /windows/i.test(l.value)) ?? false;
  if (job.runsOn?.dynamic && !windows) return { kind: 'other', name: 'a runner chosen by an expression (shell unknown)' };
  return windows ? { kind: 'pwsh', name: 'pwsh (Windows default)' } : { kind: 'posix', name: 'bash' };
}

type YamlStyle = 'plain' | 'double' | 'single' | 'block';

function yamlStyle(w: WorkflowFile, s: Scalar): YamlStyle {
  const c = w.text[s.loc.offset];
  if (s.block) return 'block';
  if (c === '"') return 'double';
  if (c === "'") return 'single';
  return 'plain';
}

/** The script text before `end`, undoing the YAML quoting (close enough to track shell quotes). */
function decodedPrefix(w: WorkflowFile, s: Scalar, style: YamlStyle, end: number): string {
  let raw = w.text.slice(s.loc.offset, end);
  if (style === 'block') {
    const nl = raw.indexOf('\n');
    raw = nl === -1 ? '' : raw.slice(nl + 1);
  } else if (style === 'double') {
    raw = raw.slice(1).replace(/\\(.)/g, '$1');
  } else if (style === 'single') {
    raw = raw.slice(1).replace(/''/g, "'");
  }
  return raw;
}

type Quote = 'none' | 'single' | 'double' | 'backtick';

/** Quote state at the end of a shell (or JS) prefix; `#` comments skipped for shells. */
function quoteState(prefix: string, lang: 'shell' | 'js'): Quote {
  let q: Quote = 'none';
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i];
    if (q === 'single') {
      if (c === "'") q = 'none';
      else if (lang === 'js' && c === '\\') i++;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (q === 'double') {
      if (c === '"') q = 'none';
      continue;
    }
    if (q === 'backtick') {
      if (c === '`') q = 'none';
      continue;
    }
    if (c === "'") q = 'single';
    else if (c === '"') q = 'double';
    else if (c === '`' && lang === 'js') q = 'backtick';
    else if (c === '#' && lang === 'shell' && (i === 0 || /\s/.test(prefix[i - 1]))) {
      const nl = prefix.indexOf('\n', i);
      if (nl === -1) break;
      i = nl;
    }
  }
  return q;
}

/** A heredoc open at the end of the prefix: its delimiter and whether it was quoted (no expansion). */
function openHeredoc(prefix: string): { quoted: boolean } | undefined {
  const re = /<<-?\s*(['"]?)([A-Za-z_]\w*)\1/g;
  let m: RegExpExecArray | null;
  let open: { quoted: boolean } | undefined;
  while ((m = re.exec(prefix)) !== null) {
    const rest = prefix.slice(m.index + m[0].length);
    const closed = new RegExp(`\\n\\s*${m[2]}\\s*(\\n|$)`).test(rest);
    open = closed ? undefined : { quoted: m[1] !== '' };
  }
  return open;
}

function escapeFor(style: YamlStyle, s: string): string {
  if (style === 'double') return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  if (style === 'single') return s.replace(/'/g, "''");
  return s;
}

/** Name for a lifted expression: the context path in UPPER_SNAKE, or the check's suggestion. */
function nameFor(body: string, f: Finding): string {
  if (/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(body)) return body.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
  const suggested = typeof f.data?.envName === 'string' ? f.data.envName : 'UNTRUSTED_VALUE';
  return suggested;
}

const norm = (body: string): string => body.replace(/\s+/g, ' ').trim();

export const expressionInjectionFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings }): FixerOutput {
    const notes: string[] = [];
    const edits: FixEdit[] = [];
    // Group by step: every expression of a step shares one env: insertion.
    const groups = new Map<Step, { job: Job; items: { f: Finding; span: ExpressionSpan; sinkScalar: Scalar; sink: string }[] }>();
    for (const f of findings) {
      const sink = String(f.data?.sink ?? '');
      const job = jobOf(w, f);
      const step = job && stepAt(w, job, f);
      if (!job || !step || !f.region) {
        notes.push(`${f.path}:${f.region?.line ?? 1}: expression-injection: the step was not found; left as is.`);
        continue;
      }
      let scalar: Scalar | undefined;
      if (sink === 'run') scalar = step.run;
      else if (sink === 'with.script') {
        const kv = step.with.find((k) => k.key === 'script');
        if (kv?.value !== undefined) scalar = { value: kv.value, loc: kv.loc, block: /^[|>]/.test(w.text.slice(kv.loc.offset, kv.loc.offset + 1)) };
      }
      if (!scalar) {
        notes.push(`${f.path}:${f.region.line}: expression-injection in ${sink || 'this input'} has no mechanical fix; left as is.`);
        continue;
      }
      const off = offsetOf(w.text, f.region.line, f.region.column);
      const span = expressionsIn(w, scalar).find((s) => s.loc.offset === off);
      if (!span) {
        notes.push(`${f.path}:${f.region.line}: expression-injection: the expression was not found in the script; left as is.`);
        continue;
      }
      let g = groups.get(step);
      if (!g) groups.set(step, (g = { job, items: [] }));
      g.items.push({ f, span, sinkScalar: scalar, sink });
    }

    for (const [step, { job, items }] of groups) {
      const where = `${w.path}:${items[0].f.region?.line ?? 1}`;
      const located = blockMapAt(w, step.loc.offset);
      if ('error' in located) {
        notes.push(`${where}: expression-injection: the step cannot be edited: ${located.error}.`);
        continue;
      }
      const shell = shellKind(w, job, step, items[0].sink);
      if (shell.kind === 'other') {
        notes.push(`${where}: expression-injection: the step runs ${shell.name}; no mechanical fix for that shell.`);
        continue;
      }
      const envHere = new Map(step.env.map((e) => [e.key, e.value ?? '']));
      const taken = new Set<string>([...envHere.keys(), ...job.env.map((e) => e.key), ...w.env.map((e) => e.key)]);
      const added = new Map<string, string>(); // name -> raw expression text
      const nameOfBody = new Map<string, string>();
      const splices: Splice[] = [];
      const done: Finding[] = [];
      let failed: string | undefined;
      for (const { f, span, sinkScalar } of items) {
        const body = norm(span.body);
        const raw = w.text.slice(span.loc.offset, span.loc.endOffset);
        let name = nameOfBody.get(body);
        if (!name) {
          const envRef = /^env\.([A-Za-z_]\w*)$/.exec(body) ?? /^env\s*\[\s*'([A-Za-z_]\w*)'\s*\]$/.exec(body);
          const reuse = [...envHere].find(([, v]) => /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(v) && norm(v.trim().slice(3, -2)) === body);
          if (reuse) name = reuse[0];
          else if (envRef) name = envRef[1];
          else if (DEFAULT_ENV[body.toLowerCase()]) name = DEFAULT_ENV[body.toLowerCase()];
          else {
            const base = nameFor(body, f);
            name = base;
            for (let i = 2; taken.has(name) || added.has(name); i++) name = `${base}_${i}`;
            added.set(name, raw);
          }
          nameOfBody.set(body, name);
        }
        const style = yamlStyle(w, sinkScalar);
        const prefix = decodedPrefix(w, sinkScalar, style, span.loc.offset);
        let start = span.loc.offset;
        let end = span.loc.endOffset;
        let ref: string;
        if (shell.kind === 'script') {
          const q = quoteState(prefix, 'js');
          const before = w.text[start - 1];
          const after = w.text[end];
          const qc = q === 'single' ? "'" : q === 'double' ? '"' : undefined;
          if (q === 'none') ref = `process.env.${name}`;
          else if (q === 'backtick') ref = `\${process.env.${name}}`;
          else if (qc && before === qc && after === qc && style !== 'double' && style !== 'single') {
            start -= 1;
            end += 1;
            ref = `process.env.${name}`;
          } else ref = `${qc} + process.env.${name} + ${qc}`;
        } else if (shell.kind === 'cmd') {
          ref = `%${name}%`;
        } else {
          const heredoc = shell.kind === 'posix' ? openHeredoc(prefix) : undefined;
          const q = quoteState(prefix, 'shell');
          if (heredoc?.quoted) {
            failed = 'an expression sits in a quoted heredoc, where no variable expands';
            break;
          }
          if (shell.kind === 'pwsh') {
            if (q === 'single') {
              failed = "an expression sits in a single-quoted PowerShell string, where $env: does not expand";
              break;
            }
            ref = `$env:${name}`;
          } else if (heredoc || q === 'double') ref = `\${${name}}`;
          else if (q === 'single') ref = `'"\${${name}}"'`;
          else ref = `"\${${name}}"`;
        }
        if (style === 'plain' && start === sinkScalar.loc.offset && /^["'%]/.test(ref)) {
          failed = 'the script starts with the expression and is an unquoted YAML scalar; quoting it would change the YAML';
          break;
        }
        splices.push({ start, end, text: escapeFor(style, ref) });
        done.push(f);
      }
      if (failed) {
        notes.push(`${where}: expression-injection: ${failed}; left as is.`);
        continue;
      }
      const basePath = located.path;
      const scriptPath = items[0].sink === 'run' ? [...basePath, 'run'] : [...basePath, 'with', 'script'];
      if (added.size > 0) {
        const lines = [...added].map(([n, raw]) => `${n}: ${yamlScalar(raw)}`);
        const s = appendToChildMap(w.text, located.map, 'env', lines);
        if ('error' in s) {
          notes.push(`${where}: expression-injection: cannot add to the step's env: ${s.error}; left as is.`);
          continue;
        }
        splices.push(s);
      }
      edits.push({
        checkId: CHECK_ID,
        splices,
        targets: [scriptPath, [...basePath, 'env']],
        findings: done,
        notes: [`${where}: moved ${done.length} expression${done.length > 1 ? 's' : ''} into env: (${[...new Set(nameOfBody.values())].join(', ')}) for ${shell.name}.`],
      });
    }
    return { edits, notes };
  },
};
