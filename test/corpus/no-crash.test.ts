/**
 * Every YAML file of every corpus (scorecard, actionlint err/ok, zizmor, realworld) goes through
 * the whole engine: no throw, no check failure, no unhandled rejection (vitest fails on those).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { CORPUS, corpusSnapshot, listFiles, requireCorpus } from '../helpers/corpus.js';

const run = requireCorpus();

describe.runIf(run)('every corpus YAML file scans without a crash', () => {
  for (const corpus of ['scorecard', 'actionlint', 'zizmor', 'zizmor-fix-cases', 'realworld']) {
    it(corpus, () => {
      const files = listFiles(path.join(CORPUS, corpus), (p) => /\.ya?ml$/i.test(p));
      expect(files.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const file of files) {
        const kind = /^action\.ya?ml$/i.test(path.basename(file)) ? 'action' : 'workflow';
        try {
          const result = scanSnapshot(corpusSnapshot(file, kind), ALL_CHECKS);
          for (const w of result.warnings) if (w.startsWith('check ')) failures.push(`${path.relative(CORPUS, file)}: ${w}`);
        } catch (err) {
          failures.push(`${path.relative(CORPUS, file)}: threw ${(err as Error).stack}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
