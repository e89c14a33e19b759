/**
 * Policy from `.github/pipeline-guard.yml`:
 *
 *   checks:            # per check: off, or a severity that replaces the finding's own
 *     unpinned-action: high
 *     remote-script-exec: off
 *   ignore:            # paths (globs) whose findings are dropped
 *     - tests/fixtures/**
 *   runners:
 *     hosted: [big-gpu-runner]   # runner labels that are GitHub-hosted larger runners
 *
 * Validation is strict: an unknown key, check id or severity is an error naming the line, so a typo
 * never silently turns a check off.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Severity } from '../model/types.js';
import { isSeverity } from '../model/types.js';
import { globToRegExp } from './glob.js';

export type CheckSetting = 'off' | Severity;

export interface Policy {
  checks: Map<string, CheckSetting>;
  ignorePaths: string[];
  ignoreRegexps: RegExp[];
  hostedRunnerLabels: string[];
}

export const DEFAULT_POLICY_PATH = '.github/pipeline-guard.yml';

export function emptyPolicy(): Policy {
  return { checks: new Map(), ignorePaths: [], ignoreRegexps: [], hostedRunnerLabels: [] };
}

export class PolicyError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly line?: number,
  ) {
    super(`${source}${line ? `:${line}` : ''}: ${message}`);
  }
}

const TOP_KEYS = new Set(['checks', 'ignore', 'runners']);

/** Parses and validates policy text. Throws PolicyError with the file and line. */
export function parsePolicy(text: string, source: string, knownCheckIds: ReadonlySet<string>): Policy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new PolicyError(`invalid YAML: ${e.message.split('\n')[0]}`, source, lc.linePos(e.pos[0]).line);
  }
  const policy = emptyPolicy();
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return policy;
  if (!isMap(root)) throw new PolicyError('the policy must be a mapping', source, 1);
  const lineOf = (node: unknown): number | undefined => {
    const r = (node as { range?: number[] } | null)?.range;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    if (!TOP_KEYS.has(key)) throw new PolicyError(`unknown key "${key}" (expected ${[...TOP_KEYS].join(', ')})`, source, lineOf(pair.key));
    if (key === 'checks') {
      if (value === null || (isScalar(value) && value.value === null)) continue;
      if (!isMap(value)) throw new PolicyError('"checks" must map check ids to off or a severity', source, lineOf(value));
      for (const item of value.items) {
        const id = isScalar(item.key) ? String(item.key.value) : '';
        const setting = isScalar(item.value) ? item.value.value : undefined;
        // YAML 1.2 reads `off` as a string, but `false` is a boolean: accept both as "off".
        const normalised = setting === false ? 'off' : typeof setting === 'string' ? setting.toLowerCase() : setting;
        if (!knownCheckIds.has(id)) throw new PolicyError(`unknown check id "${id}"`, source, lineOf(item.key));
        if (normalised !== 'off' && !isSeverity(normalised)) {
          throw new PolicyError(`check "${id}" must be off, info, low, medium, high or critical, not "${String(setting)}"`, source, lineOf(item.value ?? item.key));
        }
        policy.checks.set(id, normalised as CheckSetting);
      }
    } else if (key === 'ignore') {
      const list = isSeq(value) ? value.items : value === null ? [] : undefined;
      if (!list) throw new PolicyError('"ignore" must be a list of path globs', source, lineOf(value));
      for (const item of list) {
        if (!isScalar(item) || typeof item.value !== 'string' || item.value.trim() === '') {
          throw new PolicyError('each "ignore" entry must be a non-empty path glob', source, lineOf(item));
        }
        policy.ignorePaths.push(item.value);
        policy.ignoreRegexps.push(globToRegExp(item.value));
      }
    } else if (key === 'runners') {
      if (!isMap(value)) throw new PolicyError('"runners" must be a mapping with "hosted"', source, lineOf(value));
      for (const item of value.items) {
        const k = isScalar(item.key) ? String(item.key.value) : '';
        if (k !== 'hosted') throw new PolicyError(`unknown key "runners.${k}" (expected hosted)`, source, lineOf(item.key));
        if (!isSeq(item.value)) throw new PolicyError('"runners.hosted" must be a list of runner labels', source, lineOf(item.value));
        for (const l of item.value.items) {
          if (!isScalar(l)) throw new PolicyError('runner labels must be strings', source, lineOf(l));
          policy.hostedRunnerLabels.push(String(l.value));
        }
      }
    }
  }
  return policy;
}
