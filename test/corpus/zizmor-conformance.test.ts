/**
 * Conformance with zizmor's test suite: for each zizmor audit that maps onto one of our checks, our
 * check must fire on the lines zizmor's tests expect (recall) and stay quiet on the fixtures where
 * zizmor's tests assert the audit does not fire (false alarms). Only offline cases without a zizmor
 * config or extra arguments that change the audit are used.
 *
 * Mapping choices (see ../shared/corpus/check-map.tsv):
 * - template-injection, github-env -> expression-injection
 * - unpinned-uses -> unpinned-action; excessive-permissions -> excessive-permissions;
 *   unpinned-images -> unpinned-image: at the regular and pedantic personas, because our checks flag
 *   every non-SHA ref / non-digest image / missing permissions block, which zizmor shows at pedantic.
 * - secrets-inherit, overprovisioned-secrets -> secrets-overexposed
 * - use-trusted-publishing -> publish-token-not-oidc; cache-poisoning -> cache-poisoning;
 *   bot-conditions -> spoofable-bot-check.
 * Not mapped: dangerous-triggers (fires on any pull_request_target; our untrusted-checkout needs an
 * actual checkout of PR code followed by execution), self-hosted-runner and secrets-outside-env
 * (auditor persona only: they flag every use, ours only the exposed ones), artipacked (tier 2).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { Finding } from '../../src/model/types.js';
import { CORPUS, corpusSnapshot, readIndex, requireCorpus } from '../helpers/corpus.js';

interface Mapping {
  audit: string;
  check: string;
  personas: string[];
}

export const ZIZMOR_MAP: Mapping[] = [
  { audit: 'template-injection', check: 'expression-injection', personas: ['regular'] },
  { audit: 'github-env', check: 'expression-injection', personas: ['regular'] },
  { audit: 'unpinned-uses', check: 'unpinned-action', personas: ['regular', 'pedantic'] },
  { audit: 'excessive-permissions', check: 'excessive-permissions', personas: ['regular', 'pedantic'] },
  { audit: 'unpinned-images', check: 'unpinned-image', personas: ['regular', 'pedantic'] },
  { audit: 'secrets-inherit', check: 'secrets-overexposed', personas: ['regular'] },
  { audit: 'overprovisioned-secrets', check: 'secrets-overexposed', personas: ['regular'] },
  { audit: 'use-trusted-publishing', check: 'publish-token-not-oidc', personas: ['regular'] },
  { audit: 'cache-poisoning', check: 'cache-poisoning', personas: ['regular'] },
  { audit: 'bot-conditions', check: 'spoofable-bot-check', personas: ['regular'] },
];

const MIN_RECALL = 0.85;
const MAX_FALSE_ALARM_RATE = 0.05;

interface Spec {
  audit: string;
  persona: string;
  /** Modifiers after the persona: `online`, `cfg=…`, `--flag`. */
  modifiers: string[];
  lines: number[];
}

/** `audit@persona[+mod…]:L1,L2; …` and the not-fire column's space-separated `audit@persona[+mod]`. */
function parseSpecs(cell: string): Spec[] {
  const out: Spec[] = [];
  for (const part of cell.split(/;\s*|\s+(?=[a-z-]+@)/)) {
    const m = /^([a-z-]+)@([a-z]+)((?:\+[^:\s]+)*)(?::(.*))?$/.exec(part.trim());
    if (!m) continue;
    const modifiers = m[3] ? m[3].split('+').filter(Boolean) : [];
    const lines = (m[4] ?? '').split(',').map((l) => Number(l.trim().replace(/^L/, ''))).filter((n) => n > 0);
    out.push({ audit: m[1], persona: m[2], modifiers, lines });
  }
  return out;
}

/** Modifiers that do not change what the audit sees. */
const HARMLESS = new Set(['--format=json-v1', '--no-ignores']);
const usable = (s: Spec): boolean => s.modifiers.every((m) => HARMLESS.has(m));

interface CheckStats {
  expected: number;
  hit: number;
  negatives: number;
  falseAlarms: number;
  extraLines: number;
  misses: string[];
  alarms: string[];
}

const run = requireCorpus();

describe.runIf(run)('zizmor conformance', () => {
  const rows = run ? readIndex('zizmor-index.tsv') : [];
  const stats = new Map<string, CheckStats>();
  const statFor = (check: string): CheckStats => {
    let s = stats.get(check);
    if (!s) stats.set(check, (s = { expected: 0, hit: 0, negatives: 0, falseAlarms: 0, extraLines: 0, misses: [], alarms: [] }));
    return s;
  };
  const findingsCache = new Map<string, Finding[]>();
  const findingsOf = (file: string, kind: 'workflow' | 'action'): Finding[] => {
    let f = findingsCache.get(file);
    if (!f) {
      const result = scanSnapshot(corpusSnapshot(path.join(CORPUS, 'zizmor', file), kind), ALL_CHECKS);
      expect(result.warnings.filter((w) => w.startsWith('check ')), `a check threw on ${file}`).toEqual([]);
      findingsCache.set(file, (f = result.findings));
    }
    return f;
  };

  for (const row of rows) {
    if (row.kind !== 'workflow' && row.kind !== 'action') continue;
    const fire = parseSpecs(row.expected_fire).filter(usable);
    const quiet = parseSpecs(row.expected_not_fire).filter(usable);
    for (const map of ZIZMOR_MAP) {
      const fires = fire.filter((s) => s.audit === map.audit && map.personas.includes(s.persona));
      const expectedLines = new Set(fires.flatMap((s) => s.lines));
      const assertedQuiet = quiet.some((s) => s.audit === map.audit && map.personas.includes(s.persona));
      if (expectedLines.size === 0 && !assertedQuiet) continue;
      const ours = findingsOf(row.file, row.kind as 'workflow' | 'action').filter((f) => f.checkId === map.check);
      const s = statFor(map.check);
      if (expectedLines.size > 0) {
        const ourLines = new Set(ours.map((f) => f.region?.line));
        for (const l of expectedLines) {
          s.expected++;
          if (ourLines.has(l)) s.hit++;
          else s.misses.push(`${row.file}:${l} (${map.audit})`);
        }
        s.extraLines += [...ourLines].filter((l) => l !== undefined && !expectedLines.has(l)).length;
      } else {
        s.negatives++;
        if (ours.length > 0) {
          s.falseAlarms++;
          s.alarms.push(`${row.file}: ${ours.map((f) => `L${f.region?.line}`).join(',')} (${map.audit} expected quiet)`);
        }
      }
    }
  }

  it('meets recall and false-alarm targets for every mapped check', () => {
    const table = [...stats.entries()].map(([check, s]) => ({
      check,
      'expected lines': s.expected,
      recall: s.expected ? +(s.hit / s.expected).toFixed(3) : 1,
      'quiet fixtures': s.negatives,
      'false alarms': s.falseAlarms,
      'false-alarm rate': s.negatives ? +(s.falseAlarms / s.negatives).toFixed(3) : 0,
      'extra lines (info)': s.extraLines,
    }));
    console.log('\nzizmor conformance (recall on expected lines; false alarms on fixtures zizmor keeps quiet)');
    console.table(table);
    const detail = process.env.ZIZMOR_DETAIL;
    for (const [check, s] of stats) {
      if (detail && detail !== check && detail !== 'all') continue;
      if (!detail) continue;
      console.log(`\n${check} misses:\n  ${s.misses.join('\n  ') || '(none)'}\n${check} false alarms:\n  ${s.alarms.join('\n  ') || '(none)'}`);
    }
    const implemented = new Set(ALL_CHECKS.map((c) => c.meta.id));
    for (const map of ZIZMOR_MAP) expect(implemented.has(map.check), `${map.check} is not implemented`).toBe(true);
    for (const [check, s] of stats) {
      const recall = s.expected ? s.hit / s.expected : 1;
      const falseRate = s.negatives ? s.falseAlarms / s.negatives : 0;
      expect(recall, `${check} recall ${recall.toFixed(3)}; misses:\n${s.misses.join('\n')}`).toBeGreaterThanOrEqual(MIN_RECALL);
      expect(falseRate, `${check} false alarms:\n${s.alarms.join('\n')}`).toBeLessThanOrEqual(MAX_FALSE_ALARM_RATE);
    }
  });
});

describe('zizmor index parsing', () => {
  it('reads personas, modifiers and lines', () => {
    expect(parseSpecs('unpinned-uses@regular:L12,L14; unpinned-uses@regular+cfg=x.yml:L24')).toEqual([
      { audit: 'unpinned-uses', persona: 'regular', modifiers: [], lines: [12, 14] },
      { audit: 'unpinned-uses', persona: 'regular', modifiers: ['cfg=x.yml'], lines: [24] },
    ]);
    expect(parseSpecs('a-b@regular+cfg=x.yml c-d@auditor').map((s) => `${s.audit}@${s.persona}`)).toEqual(['a-b@regular', 'c-d@auditor']);
  });
});
