import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsafePickle } from '../../src/checks/artifacts/unsafe-pickle.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { RepoSnapshot, SnapshotFile } from '../../src/model/snapshot.js';
import { describeFixtures, FIXTURES_ROOT } from '../helpers/fixtures.js';

describeFixtures(unsafePickle);

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES_ROOT, 'unsafe-pickle', name)));

function scan(files: SnapshotFile[]) {
  const snapshot: RepoSnapshot = { source: 'local', files, warnings: [] };
  return scanSnapshot(snapshot, [unsafePickle]);
}

describe('unsafe-pickle messages and data', () => {
  it('names the file and the dangerous global', () => {
    const bytes = fixture('os-system-proto2.pkl');
    const r = scan([{ path: 'models/clf.pkl', size: bytes.length, bytes }]);
    expect(r.warnings).toEqual([]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].severity).toBe('critical');
    expect(r.findings[0].message).toContain('models/clf.pkl');
    expect(r.findings[0].message).toContain('`posix.system`');
    expect(r.findings[0].data?.dangerousGlobals).toBe('posix.system');
  });

  it('names the archive member of a PyTorch zip checkpoint', () => {
    const bytes = fixture('torch-zip-malicious.pt');
    const r = scan([{ path: 'ckpt/model.pt', size: bytes.length, bytes }]);
    expect(r.findings[0].message).toContain('`archive/data.pkl`');
  });

  it('reports the parse error of an unparsable pickle', () => {
    const bytes = fixture('truncated.pkl');
    const r = scan([{ path: 'w.pkl', size: bytes.length, bytes }]);
    expect(r.findings[0].severity).toBe('high');
    expect(String(r.findings[0].data?.parseError)).toMatch(/truncated/);
  });

  it('keeps the dangerous global found before a deliberate break (nullifAI)', () => {
    const bytes = fixture('payload-then-broken.pkl');
    const r = scan([{ path: 'w.pkl', size: bytes.length, bytes }]);
    expect(r.findings[0].severity).toBe('critical');
    expect(r.findings[0].data?.parseError).toBeDefined();
  });

  it('skips files flagged as LFS pointers and files whose content was not loaded', () => {
    const bytes = fixture('os-system-proto2.pkl');
    const r = scan([
      { path: 'a.pkl', size: bytes.length, bytes, lfsPointer: true },
      { path: 'b.pkl', size: 500 * 1024 * 1024 },
    ]);
    expect(r.findings).toEqual([]);
  });

  it('ignores model extensions no pickle loader reads (.onnx, .safetensors)', () => {
    const bytes = fixture('os-system-proto2.pkl');
    const r = scan([{ path: 'm.onnx', size: bytes.length, bytes }, { path: 'm.safetensors', size: bytes.length, bytes }]);
    expect(r.findings).toEqual([]);
  });

  it('quotes hostile global names without control characters', () => {
    const name = 'sys\u001b[31m';
    const enc = new TextEncoder().encode(name);
    const bytes = new Uint8Array([0x80, 0x04, 0x8c, 2, ...new TextEncoder().encode('os'), 0x8c, enc.length, ...enc, 0x93, 0x2e]);
    const r = scan([{ path: 'x.pkl', size: bytes.length, bytes }]);
    expect(r.findings[0].severity).toBe('critical');
    expect(r.findings[0].message).not.toMatch(/\u001b/);
  });
});
