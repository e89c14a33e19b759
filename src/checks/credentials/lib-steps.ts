/**
 * Credentials-family helpers: walking every step with its job and file, reading action inputs,
 * boolean-ish toggles, the version of an action reference, and the commands of a `run:` script
 * with the file line each command starts on.
 */
import { isScalar, visit } from 'yaml';
import type { Job, KeyValue, Scalar, Step, WorkflowFile } from '../../workflows/model.js';
import { actionName } from '../../workflows/uses.js';
import { shellScript } from '../../workflows/shell.js';
import type { CheckInput } from '../types.js';

export interface StepSite {
  file: WorkflowFile;
  job: Job;
  step: Step;
}

/** Every step of every workflow and composite action, once per YAML node (anchors are not repeated). */
export function stepSites(input: Pick<CheckInput, 'workflows' | 'actions'>): StepSite[] {
  const out: StepSite[] = [];
  for (const file of [...input.workflows, ...input.actions]) {
    const seen = new Set<number>();
    for (const job of file.jobs) {
      for (const step of job.steps) {
        if (seen.has(step.loc.offset)) continue;
        seen.add(step.loc.offset);
        out.push({ file, job, step });
      }
    }
  }
  return out;
}

/** `owner/repo[/path]`, lower-cased, of a step's `uses:`; undefined for `run:` steps, local and docker refs. */
export function stepAction(step: Step): string | undefined {
  return step.uses ? actionName(step.uses.ref) : undefined;
}

/** True when the step uses `name` or a sub-path of it (`actions/cache` matches `actions/cache/restore`). */
export function usesAction(step: Step, name: string): boolean {
  const a = stepAction(step);
  return a === name || (!!a && a.startsWith(`${name}/`));
}

/** A `with:` input by name (action inputs are case-insensitive). */
export function input(step: Pick<Step, 'with'>, key: string): KeyValue | undefined {
  const k = key.toLowerCase();
  return step.with.find((kv) => kv.key.toLowerCase() === k);
}

export type Toggle = 'on' | 'off' | 'expr' | 'other';

/** How a boolean-ish input reads: `true`/`yes`/`1` are on, `false`/`no`/`0`/empty are off. */
export function toggle(value: string | undefined): Toggle {
  const v = (value ?? '').trim().toLowerCase();
  if (v.includes('${{')) return 'expr';
  if (['true', 'yes', 'y', 'on', '1'].includes(v)) return 'on';
  if (['false', 'no', 'n', 'off', '0', ''].includes(v)) return 'off';
  return 'other';
}

export function asScalar(kv: KeyValue): Scalar {
  return { value: kv.value ?? '', loc: kv.loc, keyLoc: kv.keyLoc };
}

/** True when a value reads a repository, environment or organisation secret (other than GITHUB_TOKEN). */
export function readsSecret(value: string | undefined): boolean {
  if (!value) return false;
  const re = /\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    if (!m[1] || m[1].toUpperCase() !== 'GITHUB_TOKEN') return true;
  }
  return false;
}

const commentCache = new WeakMap<object, Map<number, string>>();

/** Trailing comments of scalar nodes, by start offset (from the YAML parser, not from the text). */
function scalarComments(file: WorkflowFile): Map<number, string> {
  let m = commentCache.get(file);
  if (m) return m;
  const map = new Map<number, string>();
  try {
    visit(file.doc, {
      Scalar(_key, node) {
        if (node.comment && node.range) map.set(node.range[0], node.comment);
      },
      Pair(_key, pair) {
        // A trailing comment is sometimes attached to the pair's value scalar, sometimes to the key.
        if (isScalar(pair.value) && pair.value.range && !pair.value.comment && isScalar(pair.key) && pair.key.comment) {
          map.set(pair.value.range[0], pair.key.comment);
        }
      },
    });
  } catch {
    // A document the parser could only partly read simply has no comments to offer.
  }
  m = map;
  commentCache.set(file, m);
  return m;
}

/**
 * Major version of the action a step uses: from a version-like ref (`v6`, `v6.1.0`, `6`) or, for a
 * SHA or branch pin, from the trailing `# v6.1.0` comment. Undefined when unknown.
 */
export function majorVersion(file: WorkflowFile, step: Step): number | undefined {
  if (!step.uses) return undefined;
  const ref = step.uses.ref;
  if (ref.kind !== 'action') return undefined;
  const fromRef = /^v?(\d+)(?:\.\d+){0,2}$/.exec(ref.ref ?? '');
  if (fromRef) return Number(fromRef[1]);
  const comment = scalarComments(file).get(step.uses.loc.offset);
  const fromComment = comment ? /\bv?(\d+)(?:\.\d+){0,2}\b/.exec(comment.trim()) : null;
  return fromComment ? Number(fromComment[1]) : undefined;
}

export interface ScriptCommand {
  /** Words of one simple command, quotes removed. */
  words: string[];
  /** 1-based file line the command starts on. */
  line: number;
  /** The logical line it came from (continuations joined). */
  text: string;
}

const scriptCache = new WeakMap<Scalar, ScriptCommand[]>();

/**
 * The simple commands of a `run:` script (shared reader, `src/workflows/shell.ts`), each with the file
 * line its logical line starts on. Memoised per `run:` node.
 */
export function scriptCommands(file: WorkflowFile, run: Scalar): ScriptCommand[] {
  let out = scriptCache.get(run);
  if (out) return out;
  out = [];
  for (const line of shellScript(file, run)) {
    for (const c of line.commands) {
      if (c.words.length > 0) out.push({ words: c.words, line: line.line, text: line.text });
    }
  }
  scriptCache.set(run, out);
  return out;
}

/** Lower-cased program name of a word: path, `.exe` and a pinned version (`twine==6.1.0`) removed. */
function programName(word: string): string {
  const slash = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\'));
  let base = (slash === -1 ? word : word.slice(slash + 1)).toLowerCase();
  if (base.endsWith('.exe')) base = base.slice(0, -4);
  let cut = base.length;
  for (const v of VERSION_MARKS) {
    const i = base.indexOf(v);
    if (i !== -1 && i < cut) cut = i;
  }
  return cut === base.length ? base : base.slice(0, cut);
}

const VERSION_MARKS = ['==', '@', '>=', '~='];

const programsCache = new WeakMap<readonly string[], string[]>();

/** `programName` of every word of a command (memoised per words array of the shared reader). */
export function programsOf(words: readonly string[]): string[] {
  let p = programsCache.get(words);
  if (!p) {
    p = words.map(programName);
    programsCache.set(words, p);
  }
  return p;
}

/** The first word after `index` that is not an option (`-x`, `--flag`, `+toolchain`). */
export function nextOperand(words: string[], index: number): { word: string; at: number } | undefined {
  for (let i = index + 1; i < words.length; i++) {
    if (/^[-+]/.test(words[i])) continue;
    return { word: words[i], at: i };
  }
  return undefined;
}

/** True when the command is only printing text (the words merely mention a tool). */
export function isEcho(words: string[]): boolean {
  return ['echo', 'printf', 'cat', 'write-host', 'write-output', ':'].includes(programName(words[0] ?? ''));
}
