import { describe, expect, it } from 'vitest';
import { classifyIndex, dependencyConfusion, shellHits } from '../../src/checks/hygiene/dependency-confusion.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(dependencyConfusion);

describe('dependency-confusion', () => {
  it('classifies indexes', () => {
    expect(classifyIndex('https://pypi.org/simple')).toBe('pypi');
    expect(classifyIndex('https://download.pytorch.org/whl/cu121')).toBe('public');
    expect(classifyIndex('https://test.pypi.org/simple/')).toBe('open-upload');
    expect(classifyIndex('https://pkgs.example.com/simple')).toBe('private');
    expect(classifyIndex('$PRIVATE_INDEX')).toBe('private');
    expect(classifyIndex('https://user:pw@download.pytorch.org/whl')).toBe('private');
  });

  it('never quotes index credentials', () => {
    const hits = shellHits('pip install --extra-index-url https://__token__:s3cr3tvalue@gitlab.example.com/simple x', false);
    expect(hits).toHaveLength(1);
    expect(JSON.stringify(hits)).not.toContain('s3cr3tvalue');
    expect(hits[0].message).toContain('***@gitlab.example.com');
  });

  it('leaves uv with its default strategy alone but reports unsafe strategies', () => {
    expect(shellHits('uv pip install --extra-index-url https://pkgs.example.com/simple acme', false)).toEqual([]);
    expect(shellHits('uv sync --index-strategy=unsafe-first-match', false).map((h) => h.severity)).toEqual(['medium']);
    expect(shellHits('uv pip install --index-strategy unsafe-best-match --extra-index-url $IDX x', false, new Map([['IDX', 'https://download.pytorch.org/whl/cpu']])).map((h) => h.severity)).toEqual(['medium']);
  });

  it('does not throw on binary or non-UTF-8 dependency files', () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x2d, 0x2d]);
    const r = scanSnapshot({ source: 'local', files: [{ path: 'requirements.txt', size: bytes.length, bytes }, { path: 'pip.conf', size: 0 }], warnings: [] }, [dependencyConfusion]);
    expect(r.warnings).toEqual([]);
    expect(r.findings).toEqual([]);
  });
});
