import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classifyGlobal } from '../../src/pickle/policy.js';
import { scanModelBytes, sniffFormat } from '../../src/pickle/scan.js';
import { readZipDirectory } from '../../src/pickle/zip.js';
import { FIXTURES_ROOT } from '../helpers/fixtures.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES_ROOT, 'unsafe-pickle', name)));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const EVIL = enc("cposix\nsystem\n(S'id'\ntR.");

/** Minimal ZIP writer: stored or deflated entries; `declare` overrides the uncompressed size written. */
function zip(entries: { name: string; data: Uint8Array; deflate?: boolean; declare?: number }[]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.declare ?? e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(e.deflate ? 8 : 0, 10);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(e.declare ?? e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, cdBuf, eocd]));
}

const globalsOf = (buf: Uint8Array, assumePickle = false): string[] =>
  scanModelBytes(buf, { assumePickle }).streams.flatMap((s) => s.globals.map((g) => `${s.where}:${g.module}.${g.name}`));

describe('sniffFormat', () => {
  it('recognises formats by magic bytes', () => {
    expect(sniffFormat(fixture('os-system-proto2.pkl'))).toBe('pickle');
    expect(sniffFormat(fixture('legacy-torch.pth'))).toBe('torch-legacy');
    expect(sniffFormat(fixture('torch-zip-benign.pt'))).toBe('zip');
    expect(sniffFormat(fixture('joblib-zlib-malicious.joblib'))).toBe('zlib');
    expect(sniffFormat(fixture('joblib-gzip-malicious.joblib'))).toBe('gzip');
    expect(sniffFormat(fixture('joblib-bz2.joblib'))).toBe('bz2');
    expect(sniffFormat(fixture('safetensors.bin'))).toBe('safetensors');
    expect(sniffFormat(fixture('object-array.npy'))).toBe('npy');
    expect(sniffFormat(fixture('lfs-pointer.pt'))).toBe('lfs-pointer');
    expect(sniffFormat(enc('GGUF\x03\x00\x00\x00'))).toBe('gguf');
    expect(sniffFormat(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('hdf5');
    expect(sniffFormat(enc('$FL2@(#) SPSS DATA FILE'))).toBe('spss');
    expect(sniffFormat(fixture('random-bytes.bin'))).toBe('unknown');
  });
});

describe('scanModelBytes: containers', () => {
  it('reads deflated archive members and walks data.pkl, *.pkl and nested checkpoints', () => {
    const inner = zip([{ name: 'archive/data.pkl', data: EVIL, deflate: true }]);
    const mar = zip([
      { name: 'MAR-INF/MANIFEST.json', data: enc('{}'), deflate: true },
      { name: 'model.pt', data: inner },
      { name: 'extra/tokenizer.pkl', data: enc('}.'), deflate: true },
    ]);
    expect(globalsOf(mar)).toEqual(['model.pt!archive/data.pkl:posix.system']);
    expect(scanModelBytes(mar, { assumePickle: false }).problems).toEqual([]);
  });

  it('scans .npz object arrays and ignores numeric ones', () => {
    const npy = fixture('object-array.npy');
    const numeric = new Uint8Array([...npy.subarray(0, 10), ...enc("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }".padEnd(53) + '\n'), 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    const npz = zip([{ name: 'a.npy', data: npy, deflate: true }, { name: 'b.npy', data: numeric }]);
    expect(globalsOf(npz)).toEqual(['a.npy:posix.system']);
  });

  it('refuses zip bombs: declared ratio, and content larger than declared', () => {
    const big = new Uint8Array(5_000_000);
    const bomb = scanModelBytes(zip([{ name: 'archive/data.pkl', data: big, deflate: true }]), { assumePickle: false });
    expect(bomb.streams).toEqual([]);
    expect(bomb.problems[0].reason).toMatch(/compression ratio/);
    const liar = scanModelBytes(zip([{ name: 'archive/data.pkl', data: new Uint8Array(50_000), deflate: true, declare: 100 }]), { assumePickle: false });
    expect(liar.problems[0].reason).toMatch(/does not inflate/);
  });

  it('reports a truncated archive instead of throwing', () => {
    const z = fixture('torch-zip-malicious.pt');
    for (const n of [4, 30, 200, z.length - 10]) {
      const r = scanModelBytes(z.subarray(0, n), { assumePickle: false });
      expect(r.problems.length + r.streams.filter((s) => !s.ok).length, `prefix ${n}`).toBeGreaterThan(0);
    }
  });

  it('counts central directory entries against the limit', () => {
    const z = zip([{ name: 'a.pkl', data: enc('N.') }, { name: 'b.pkl', data: enc('N.') }]);
    expect(readZipDirectory(z, { maxEntries: 1, maxEntryBytes: 1000, maxRatio: 10 }).problem).toMatch(/2 entries/);
  });

  it('decompresses joblib zlib, gzip and the old "ZF" format; caps the output', () => {
    const zf = new Uint8Array([...enc('ZF'), ...enc('0x1a'.padEnd(19)), ...deflateSync(EVIL)]);
    expect(globalsOf(zf, true)).toEqual([':posix.system']);
    const bomb = new Uint8Array(deflateSync(new Uint8Array(2_000_000)));
    const r = scanModelBytes(bomb, { assumePickle: true, maxInflate: 100_000 });
    expect(r.problems[0].reason).toMatch(/decompression bomb/);
  });

  it('walks a protocol-0 pickle whose first two bytes pass the zlib header test', () => {
    const p0 = enc("(S'ab'\np0\ncos\nsystem\np1\ntp2\n.");
    expect(sniffFormat(p0)).toBe('zlib');
    expect(globalsOf(p0, true)).toEqual([':os.system']);
  });

  it('never throws on damaged containers', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const bases = ['torch-zip-malicious.pt', 'joblib-zlib-malicious.joblib', 'joblib-gzip-malicious.joblib', 'object-array.npy', 'legacy-torch.pth'].map(fixture);
    const t0 = performance.now();
    for (const base of bases) {
      for (let i = 0; i < 300; i++) {
        const copy = base.slice(0, Math.max(1, Math.floor(rand() * base.length * 1.2)));
        for (let k = 0; k < 2; k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
        expect(() => scanModelBytes(copy, { assumePickle: true })).not.toThrow();
      }
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('classifyGlobal', () => {
  it('denylist, network clients, allowlist, unknown', () => {
    const risk = (m: string, n: string): string => classifyGlobal(m, n).risk;
    expect(risk('posix', 'system')).toBe('dangerous');
    expect(risk('nt', 'system')).toBe('dangerous');
    expect(risk('os.path', 'join')).toBe('dangerous');
    expect(risk('__builtin__', 'eval')).toBe('dangerous');
    expect(risk('builtins', 'getattr')).toBe('dangerous');
    expect(risk('subprocess', 'Popen')).toBe('dangerous');
    expect(risk('numpy.testing._private.utils', 'runstring')).toBe('dangerous');
    expect(risk('numpy', 'testing._private.utils.runstring')).toBe('dangerous'); // dotted name (protocol 4)
    expect(risk('collections', 'OrderedDict.__init__.__globals__')).toBe('dangerous');
    expect(risk('torch.hub', 'load')).toBe('dangerous');
    expect(risk('webbrowser', 'open')).toBe('risky');
    expect(risk('requests.api', 'get')).toBe('risky');
    expect(risk('collections', 'OrderedDict')).toBe('known');
    expect(risk('torch._utils', '_rebuild_tensor_v2')).toBe('known');
    expect(risk('torch', 'BFloat16Storage')).toBe('known');
    expect(risk('numpy.core.multiarray', '_reconstruct')).toBe('known');
    expect(risk('sklearn.ensemble._forest', 'RandomForestClassifier')).toBe('known');
    expect(risk('sklearn.utils', 'some_function')).toBe('unknown');
    expect(risk('__main__', 'Net')).toBe('unknown');
    expect(risk('copyreg._extension_registry', '7')).toBe('unknown');
  });
});
