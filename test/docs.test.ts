import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { renderCheckDocs } from '../src/report/check-docs.js';
import { VERSION } from '../src/version.js';

const root = path.resolve(import.meta.dirname, '..');

describe('generated docs', () => {
  it('docs/checks.md is up to date with the check metadata (run `npm run docs`)', () => {
    const committed = readFileSync(path.join(root, 'docs/checks.md'), 'utf8');
    expect(committed).toBe(renderCheckDocs(ALL_CHECKS));
  });

  it('documents every check with a why, a fix and references', () => {
    const md = renderCheckDocs(ALL_CHECKS);
    for (const c of ALL_CHECKS) {
      expect(md).toContain(`## ${c.meta.id}\n`);
      expect(c.meta.docs.why.length, c.meta.id).toBeGreaterThan(40);
      expect(c.meta.docs.howToFix.length, c.meta.id).toBeGreaterThan(20);
      expect(c.meta.docs.references.length, c.meta.id).toBeGreaterThan(0);
    }
  });

  it('check ids are unique and kebab-case', () => {
    const ids = ALL_CHECKS.map((c) => c.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('the version constant matches package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
