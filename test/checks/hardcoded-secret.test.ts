import type { Finding } from '../../src/model/types.js';
import { describe, expect, it } from 'vitest';
import { hardcodedSecret } from '../../src/checks/hygiene/hardcoded-secret.js';
import { describeFixtures, scanFiles } from '../helpers/fixtures.js';

describeFixtures(hardcodedSecret);

const scan = (files: Record<string, string>): Finding[] => scanFiles(files, [hardcodedSecret]);

const HF = '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';

describe('hardcoded-secret', () => {
  it('never puts the secret value in the message, step label or data', () => {
    const wf = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: huggingface-cli login --token ${HF}\n`;
    const findings = scan({ '.github/workflows/a.yml': wf, 'x.py': `T = "${HF}"\n` });
    expect(findings).toHaveLength(2);
    for (const f of findings) {
      const all = JSON.stringify(f);
      expect(all).not.toContain(HF.slice(3));
      expect(f.message).toContain('hf_…');
      expect(f.message).toContain('(37 chars)');
    }
  });

  it('marks workflow literals fixable with the token span, other files not', () => {
    const wf = `on: push\nenv:\n  HF_TOKEN: ${HF}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n`;
    const findings = scan({ '.github/workflows/a.yml': wf, 'Dockerfile': `FROM x\nENV HF_TOKEN=${HF}\n` });
    const w = findings.find((f) => f.path === '.github/workflows/a.yml');
    const d = findings.find((f) => f.path === 'Dockerfile');
    expect(w?.fixable).toBe(true);
    expect(w?.data?.secretName).toBe('HF_TOKEN');
    expect(wf.slice(Number(w?.data?.offset), Number(w?.data?.endOffset))).toBe(HF);
    expect(w?.region).toEqual({ line: 3, column: 13, endLine: 3, endColumn: 13 + HF.length });
    expect(d?.fixable).toBe(false);
    expect(d?.region?.line).toBe(2);
  });

  it('reports the .ipynb line of a token inside a cell source', () => {
    const nb = JSON.stringify({ cells: [{ cell_type: 'code', source: ['a = 1\n', `tok = "${HF}"\n`], outputs: [] }] }, null, 1);
    const line = nb.split('\n').findIndex((l) => l.includes(HF)) + 1;
    const findings = scan({ 'nb.ipynb': nb });
    expect(findings.map((f) => f.region?.line)).toEqual([line]);
  });

  it('stays fast and quiet on a 4 MiB line of random characters', () => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=:"\' ';
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const parts: string[] = [];
    for (let i = 0; i < 4 * 1024 * 1024; i++) parts.push(chars[Math.floor(rnd() * chars.length)]);
    const big = parts.join('');
    const t0 = performance.now();
    scan({ 'big.py': big, '.env': big, 'Dockerfile': `RUN ${big}`, 'big.ipynb': JSON.stringify({ cells: [{ source: [big], outputs: [{ text: [big] }] }] }) });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('does not throw on a malformed notebook and still scans its text', () => {
    const findings = scan({ 'broken.ipynb': `{"cells": [ {"source": ["x = \\"${HF}\\""` });
    expect(findings).toHaveLength(1);
  });
});
