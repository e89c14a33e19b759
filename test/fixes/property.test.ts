/**
 * Property test over every corpus workflow (zizmor, scorecard, realworld, actionlint ok/): every
 * fixable finding is handed to the fix engine; each file is either fixed so that the three acceptance
 * rules hold (checked here again, independently of the engine) or left byte-for-byte untouched with a
 * reason, and a second pass over a fixed file changes nothing. The engine never throws. Action refs
 * resolve through a stand-in (made-up SHAs): the pin fixer's text handling is what is exercised.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, checkById } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { diffPaths, showPath } from '../../src/fixes/doc.js';
import { applyFixes } from '../../src/fixes/engine.js';
import { FIXABLE_CHECK_IDS } from '../../src/fixes/registry.js';
import { refsOfFindings } from '../../src/collect/action-refs.js';
import { pinKey, type PinResolution } from '../../src/fixes/pins.js';
import type { FileOutcome } from '../../src/fixes/types.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { parseWorkflow } from '../../src/workflows/parse.js';
import { CORPUS, listFiles, requireCorpus } from '../helpers/corpus.js';
import { oneFileSnapshot } from './snapshot.js';

/** Keys a mechanical fix may change; any changed path must end in one of them (or lie under one). */
const FIXABLE_KEYS = new Set(['run', 'env', 'with', 'if', 'permissions', 'environment', 'uses']);

/** A stand-in resolver: every ref pins to a made-up SHA (the fixer's text handling is what is tested here). */
function fakePins(findings: Parameters<typeof refsOfFindings>[0]): Map<string, PinResolution> {
  const pins = new Map<string, PinResolution>();
  for (const r of refsOfFindings(findings)) {
    const key = pinKey(r.owner, r.repo, r.ref);
    pins.set(key, { status: 'pinned', sha: createHash('sha1').update(key).digest('hex'), tag: r.ref, from: 'tag' });
  }
  return pins;
}

/** Floors for what the corpus yields today, so a regression cannot pass silently. */
const MIN_ACCEPTED_FILES = 250; // 262 files fixed at the time of writing (160 before the pin, OIDC and PyPI fixes); a little room

function corpusFiles(): string[] {
  const yaml = (p: string): boolean => /\.ya?ml$/i.test(p);
  return [
    ...listFiles(path.join(CORPUS, 'zizmor'), yaml),
    ...listFiles(path.join(CORPUS, 'scorecard'), yaml),
    ...listFiles(path.join(CORPUS, 'realworld'), yaml),
    ...listFiles(path.join(CORPUS, 'actionlint', 'ok'), yaml),
  ];
}

describe('fix property over the corpus', () => {
  if (!requireCorpus()) return;

  it('every fix is accepted with the three rules holding, or rejected with the file untouched', () => {
    const stats = { files: 0, filesWithFixable: 0, fixed: 0, rejected: 0, unchanged: 0, findingsAttempted: 0, findingsFixed: 0 };
    const byCheck = new Map<string, { attempted: number; fixed: number }>();
    const reasons = new Map<string, number>();
    const problems: string[] = [];
    const problemsSeen: string[] = [];
    const notesSeen = new Map<string, number>();
    for (const abs of corpusFiles()) {
      const base = path.basename(abs).toLowerCase();
      const kind = base === 'action.yml' || base === 'action.yaml' ? 'action' : 'workflow';
      const text = readFileSync(abs, 'utf8');
      const rel = kind === 'action' ? 'action.yml' : `.github/workflows/${path.basename(abs)}`;
      const snapshot = oneFileSnapshot(text, rel, kind);
      stats.files++;
      const findings = scanSnapshot(snapshot, ALL_CHECKS, emptyPolicy()).findings.filter((f) => f.fixable && FIXABLE_CHECK_IDS.has(f.checkId));
      if (findings.length === 0) continue;
      stats.filesWithFixable++;
      stats.findingsAttempted += findings.length;
      for (const f of findings) {
        const c = byCheck.get(f.checkId) ?? { attempted: 0, fixed: 0 };
        c.attempted++;
        byCheck.set(f.checkId, c);
      }
      let outcomes: FileOutcome[] = [];
      try {
        outcomes = applyFixes(snapshot, findings, emptyPolicy(), undefined, { pins: fakePins(findings) });
      } catch (err) {
        problems.push(`${abs}: applyFixes threw ${(err as Error).message}`);
        continue;
      }
      for (const o of outcomes) {
        if (o.status !== 'fixed') {
          if (o.text !== text) problems.push(`${abs}: ${o.status} but the text changed`);
          if (o.reason?.startsWith('internal error')) problems.push(`${abs}: ${o.reason}`);
          const reason = (o.reason ?? 'none').replace(/\(line \d+[^)]*\)|line \d+|"[^"]*"|`[^`]*`/g, '…').slice(0, 90);
          reasons.set(`${o.status}: ${reason}`, (reasons.get(`${o.status}: ${reason}`) ?? 0) + 1);
          if (o.status === 'rejected') problemsSeen.push(`${path.relative(CORPUS, abs)}: ${o.reason}`);
          for (const n of o.notes) {
            const k = n.replace(/^[^ ]*: /, '').replace(/"[^"]*"|`[^`]*`|\([^)]*\)|step \d+/g, '…').replace(/uses \S+/g, 'uses …').slice(0, 100);
            notesSeen.set(k, (notesSeen.get(k) ?? 0) + 1);
          }
          if (o.status === 'rejected') stats.rejected++;
          else stats.unchanged++;
          continue;
        }
        stats.fixed++;
        // (1) it parses
        const after = parseWorkflow(rel, o.text, kind);
        const beforeParsed = parseWorkflow(rel, text, kind);
        if (!after.ok || !beforeParsed.ok) {
          problems.push(`${abs}: accepted fix does not parse`);
          continue;
        }
        // (2) the findings of the fixed checks went down by what the engine claims
        const afterSnap = oneFileSnapshot(o.text, rel, kind);
        for (const a of o.applied) {
          const check = checkById(a.checkId);
          if (!check) continue;
          const n0 = scanSnapshot(snapshot, [check], emptyPolicy()).findings.length;
          const n1 = scanSnapshot(afterSnap, [check], emptyPolicy()).findings.length;
          if (n1 > n0 - a.findings) problems.push(`${abs}: ${a.checkId} ${n0} -> ${n1} findings after fixing ${a.findings}`);
          const c = byCheck.get(a.checkId);
          if (c) c.fixed += a.findings;
          stats.findingsFixed += a.findings;
        }
        // (3) only fixable nodes changed
        const afterJs = after.workflow.doc.toJS() as unknown;
        for (const p of diffPaths(beforeParsed.workflow.doc.toJS(), afterJs)) {
          // A replaced literal secret may sit in any value; it must now read a secret.
          const value = p.reduce<unknown>((node, k) => (node as Record<string | number, unknown> | undefined)?.[k], afterJs);
          const secretReplaced = o.applied.some((a) => a.checkId === 'hardcoded-secret') && typeof value === 'string' && value.includes('${{ secrets.');
          if (!secretReplaced && !p.some((k) => typeof k === 'string' && FIXABLE_KEYS.has(k))) problems.push(`${abs}: changed ${showPath(p)}`);
        }
        // Idempotent: fixing the fixed file changes nothing.
        const againFindings = scanSnapshot(afterSnap, ALL_CHECKS, emptyPolicy()).findings.filter((f) => f.fixable && FIXABLE_CHECK_IDS.has(f.checkId));
        const again = applyFixes(afterSnap, againFindings, emptyPolicy(), undefined, { pins: fakePins(againFindings) });
        for (const a of again) if (a.status === 'fixed') problems.push(`${abs}: not idempotent: a second pass changed it again (${a.applied.map((x) => x.checkId).join(', ')})`);
        // Comments survive: every comment line of the original is still in the fixed text.
        const kept = text.split('\n').filter((l) => /^\s*#/.test(l));
        for (const l of kept) if (!o.text.includes(l)) problems.push(`${abs}: comment line lost: ${l.trim().slice(0, 60)}`);
      }
    }
    console.log(
      `\nfix property: ${JSON.stringify(stats)}\n` +
        `  per check: ${[...byCheck].map(([k, v]) => `${k} ${v.fixed}/${v.attempted}`).join(', ')}\n` +
        [...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${n} × ${r}`).join('\n') +
        `\n  rejected files:\n${problemsSeen.map((p) => `    ${p}`).join('\n')}\n  notes on files left unchanged:\n` +
        [...notesSeen].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([r, n]) => `    ${n} × ${r}`).join('\n'),
    );
    expect(problems).toEqual([]);
    expect(stats.fixed).toBeGreaterThanOrEqual(MIN_ACCEPTED_FILES);
  });
});
