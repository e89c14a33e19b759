import { describe, expect, it } from 'vitest';
import { committedModelWeights } from '../../src/checks/artifacts/committed-model-weights.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { RepoSnapshot, SnapshotFile } from '../../src/model/snapshot.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(committedModelWeights);

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const PICKLE = new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]); // {} at protocol 2
const SAFETENSORS = (() => {
  const meta = enc('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  const b = new Uint8Array(8 + meta.length + 4);
  new DataView(b.buffer).setBigUint64(0, BigInt(meta.length), true);
  b.set(meta, 8);
  return b;
})();

function scan(files: SnapshotFile[], source: RepoSnapshot['source'] = 'local') {
  return scanSnapshot({ source, files, warnings: [] }, [committedModelWeights]);
}

describe('committed-model-weights rules', () => {
  it('reports data-only weights above 10 MB as medium, with the LFS pattern for the fix', () => {
    const r = scan([{ path: 'models/big.safetensors', size: 11 * 1024 * 1024, bytes: SAFETENSORS }]);
    expect(r.findings.map((f) => f.severity)).toEqual(['medium']);
    expect(r.findings[0].fixable).toBe(true);
    expect(r.findings[0].data?.lfsPattern).toBe('*.safetensors');
    expect(r.findings[0].message).toContain('models/big.safetensors');
  });

  it('keeps data-only weights at or below 10 MB quiet', () => {
    expect(scan([{ path: 'm.gguf', size: 10 * 1024 * 1024, bytes: enc('GGUF....') }]).findings).toEqual([]);
  });

  it('reports a pickle in a test directory above 100 KB as high, below as low', () => {
    const r = scan([
      { path: 'tests/data/small.pkl', size: PICKLE.length, bytes: PICKLE },
      { path: 'tests/data/large.pkl', size: 200 * 1024, bytes: PICKLE },
    ]);
    expect(r.findings.map((f) => `${f.path} ${f.severity}`)).toEqual(['tests/data/large.pkl high', 'tests/data/small.pkl low']);
  });

  it('says the LFS filter did not run when a GitHub snapshot has a blob under a filter=lfs rule', () => {
    const files: SnapshotFile[] = [
      { path: '.gitattributes', size: 40, bytes: enc('*.pt filter=lfs diff=lfs merge=lfs -text\n') },
      { path: 'models/net.pt', size: PICKLE.length, bytes: PICKLE, lfsPointer: false },
    ];
    const r = scan(files, 'github');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0].severity).toBe('high');
    expect(r.findings[0].message).toMatch(/LFS filter did not run/);
    expect(r.findings[0].message).toContain('.gitattributes:1');
    expect(r.findings[0].fixable).toBe(false);
    // The same tree checked out locally holds smudged content: not reported.
    expect(scan(files, 'local').findings).toEqual([]);
  });

  it('follows gitattributes precedence: nested files, anchored patterns, unset filters', () => {
    const files: SnapshotFile[] = [
      { path: '.gitattributes', size: 1, bytes: enc('*.pkl filter=lfs\n/top.bin filter=lfs\n') },
      { path: 'sub/.gitattributes', size: 1, bytes: enc('*.pkl -filter\n') },
      { path: 'a/b/x.pkl', size: PICKLE.length, bytes: PICKLE },
      { path: 'sub/y.pkl', size: PICKLE.length, bytes: PICKLE },
      { path: 'top.bin', size: PICKLE.length, bytes: PICKLE },
      { path: 'deep/top.bin', size: PICKLE.length, bytes: PICKLE },
    ];
    const r = scan(files, 'github');
    const got = r.findings.map((f) => `${f.path} ${f.data?.filterDidNotRun ? 'lfs-rule' : 'no-rule'}`);
    expect(got).toEqual(['a/b/x.pkl lfs-rule', 'deep/top.bin no-rule', 'sub/y.pkl no-rule', 'top.bin lfs-rule']);
  });

  it('skips LFS pointers and unloaded files', () => {
    const ptr = enc('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 9\n');
    expect(scan([{ path: 'm.pt', size: ptr.length, bytes: ptr }, { path: 'n.pt', size: 300 * 1024 * 1024 }]).findings).toEqual([]);
  });

  it('treats a .bin by its content: safetensors is data-only, random bytes are not a model format', () => {
    const random = new Uint8Array(2048).map((_, i) => (i * 7919 + 13) & 0xff);
    random[0] = 0xf0;
    expect(scan([{ path: 'a.bin', size: 4096, bytes: SAFETENSORS }, { path: 'b.bin', size: 4096, bytes: random }]).findings).toEqual([]);
    expect(scan([{ path: 'c.bin', size: 4096, bytes: PICKLE }]).findings.map((f) => f.severity)).toEqual(['high']);
  });
});
