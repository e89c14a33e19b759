import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkPickle, walkPickles, type WalkLimits, DEFAULT_WALK_LIMITS } from '../../src/pickle/walker.js';
import { FIXTURES_ROOT } from '../helpers/fixtures.js';

const b = (...parts: (string | number[] | Uint8Array)[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return new Uint8Array(out);
};
const names = (buf: Uint8Array): string[] => walkPickle(buf).globals.map((g) => `${g.module}.${g.name}`);
const su = (s: string): number[] => [0x8c, s.length, ...[...s].map((c) => c.charCodeAt(0))]; // SHORT_BINUNICODE

describe('walkPickle: imports', () => {
  it('GLOBAL (protocol 0) with its opcode offset', () => {
    const r = walkPickle(b("cposix\nsystem\n(S'echo hi'\ntR."));
    expect(r.ok).toBe(true);
    expect(r.globals).toEqual([{ module: 'posix', name: 'system', offset: 0, opcode: 'GLOBAL' }]);
  });

  it('INST pops to the MARK and records its class', () => {
    const r = walkPickle(b("(S'ls'\nios\nsystem\n."));
    expect(r.ok).toBe(true);
    expect(r.globals.map((g) => [g.module, g.name, g.opcode])).toEqual([['os', 'system', 'INST']]);
  });

  it('STACK_GLOBAL with operands from SHORT_BINUNICODE, BINUNICODE, BINUNICODE8', () => {
    expect(names(b([0x80, 4], su('os'), su('system'), [0x93, 0x2e]))).toEqual(['os.system']);
    expect(names(b([0x80, 4, 0x58, 2, 0, 0, 0], 'os', [0x8d, 5, 0, 0, 0, 0, 0, 0, 0], 'popen', [0x93, 0x2e]))).toEqual(['os.popen']);
  });

  it('STACK_GLOBAL resolves operands through MEMOIZE + BINGET, PUT + GET and LONG_BINPUT + LONG_BINGET', () => {
    expect(names(b([0x80, 4], su('subprocess'), [0x94], su('run'), [0x94, 0x86, 0x30, 0x68, 0, 0x68, 1, 0x93, 0x2e]))).toEqual(['subprocess.run']);
    expect(names(b([0x80, 4], su('os'), 'p7\n0', su('system'), 'p8\n0g7\ng8\n', [0x93, 0x2e]))).toEqual(['os.system']);
    expect(names(b([0x80, 4], su('runpy'), [0x72, 9, 1, 0, 0, 0x30, 0x6a, 9, 1, 0, 0], su('run_path'), [0x93, 0x2e]))).toEqual(['runpy.run_path']);
  });

  it('STACK_GLOBAL operands from protocol-0 STRING (escape-decoded) and UNICODE', () => {
    expect(names(b([0x80, 4], "S'o\\x73'\nVsys\\u0074em\n", [0x93, 0x2e]))).toEqual(['os.system']);
  });

  it('EXT1/EXT2/EXT4 are reported as extension-registry imports', () => {
    const r = walkPickle(b([0x80, 2, 0x82, 7, 0x30, 0x83, 1, 2, 0x30, 0x84, 1, 0, 0, 0, 0x2e]));
    expect(r.ok).toBe(true);
    expect(r.globals.map((g) => `${g.opcode}:${g.name}`)).toEqual(['EXT1:7', 'EXT2:513', 'EXT4:1']);
  });

  it('follows FRAME, BYTEARRAY8, NEXT_BUFFER, READONLY_BUFFER, sets, persistent ids and NEWOBJ_EX', () => {
    const frame = [0x95, 30, 0, 0, 0, 0, 0, 0, 0];
    const r = walkPickle(
      b([0x80, 5], frame, [0x96, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0x97, 0x98, 0x8f, 0x28, 0x4b, 1, 0x90, 0x28, 0x4b, 2, 0x91],
        "Pid\n", [0x4e, 0x51], "cbuiltins\nobject\n", [0x29, 0x7d, 0x92], [0x29, 0x74 /* needs MARK: fails */]),
    );
    expect(r.globals.map((g) => g.name)).toEqual(['object']);
    expect(r.ok).toBe(false); // TUPLE without MARK
    expect(r.error?.reason).toMatch(/MARK/);
  });

  it('walks every opcode of real protocol 0-5 pickles to STOP', () => {
    const dir = path.join(FIXTURES_ROOT, 'unsafe-pickle');
    for (const f of ['os-system-proto0.pkl', 'os-system-proto2.pkl', 'os-system-proto4.pkl', 'os-system-proto5.pkl', 'benign-proto1.pkl', 'benign-sklearn.pkl', 'recursive-list.pkl']) {
      const r = walkPickle(new Uint8Array(readFileSync(path.join(dir, f))));
      expect(r.ok, `${f}: ${r.error?.reason}`).toBe(true);
    }
  });
});

describe('walkPickle: malformed input is a result, not a throw', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated argument', b([0x80, 2, 0x58, 10, 0, 0, 0], 'abc'), /truncated/],
    ['missing STOP', b([0x80, 2, 0x4e]), /no STOP/],
    ['missing newline', b('cos\nsys'), /end of line/],
    ['unknown opcode', b([0x80, 2, 0xff]), /unknown opcode 0xff/],
    ['memo key never stored', b([0x80, 2, 0x5d, 0x68, 5, 0x2e]), /missing key 5/],
    ['stack underflow', b([0x80, 2, 0x52, 0x2e]), /underflow/],
    ['STOP on empty stack', b([0x80, 2, 0x2e]), /empty stack/],
    ['STACK_GLOBAL on non-strings', b([0x80, 4, 0x4b, 1, 0x4b, 2, 0x93, 0x2e]), /not strings/],
    ['protocol from the future', b([0x80, 9, 0x4e, 0x2e]), /protocol 9/],
    ['FRAME longer than the data', b([0x80, 4, 0x95, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x4e, 0x2e]), /truncated/],
    ['8-byte length beyond any buffer', b([0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /truncated/],
    ['bad INT', b('Iabc\n.'), /decimal/],
    ['unquoted STRING', b('Sabc\n.'), /not quoted/],
  ];
  for (const [label, input, reason] of cases) {
    it(label, () => {
      const r = walkPickle(input);
      expect(r.ok).toBe(false);
      expect(r.error?.reason).toMatch(reason);
    });
  }

  it('keeps globals seen before the error', () => {
    const r = walkPickle(b('cos\nsystem\n', [0xff]));
    expect(r.ok).toBe(false);
    expect(r.globals.map((g) => g.name)).toEqual(['system']);
  });

  it('self-referencing structures are fine (memo cycles are not traversed)', () => {
    // l = []; l.append(l); d = {'l': l}; d['d'] = d
    const r = walkPickle(b([0x80, 2, 0x7d, 0x71, 0, 0x58, 1, 0, 0, 0], 'l', [0x5d, 0x71, 1, 0x68, 1, 0x61, 0x73, 0x68, 0, 0x68, 0, 0x62, 0x2e]));
    expect(r.ok).toBe(true);
  });

  it('stops at the opcode limit', () => {
    const many = new Uint8Array(10_000).fill(0x4e); // NONE x 10000
    const limits: WalkLimits = { ...DEFAULT_WALK_LIMITS, maxOpcodes: 1000 };
    const r = walkPickle(many, 0, limits);
    expect(r.ok).toBe(false);
    expect(r.error?.reason).toMatch(/more than 1000 opcodes/);
  });

  it('stops at the stack depth limit, for values and for nested MARKs', () => {
    const limits: WalkLimits = { ...DEFAULT_WALK_LIMITS, maxStackDepth: 100 };
    expect(walkPickle(new Uint8Array(500).fill(0x4e), 0, limits).error?.reason).toMatch(/stack deeper than 100/);
    expect(walkPickle(new Uint8Array(500).fill(0x28), 0, limits).error?.reason).toMatch(/stack deeper than 100/);
    // Default limits: 300k MARKs are refused quickly.
    const t0 = performance.now();
    expect(walkPickle(new Uint8Array(300_000).fill(0x28)).error?.reason).toMatch(/stack deeper/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('walkPickles: concatenated streams', () => {
  it('walks a legacy PyTorch file (several pickles, then raw storage bytes)', () => {
    const buf = new Uint8Array(readFileSync(path.join(FIXTURES_ROOT, 'unsafe-pickle', 'legacy-torch.pth')));
    const multi = walkPickles(buf);
    expect(multi.streams).toHaveLength(5);
    expect(multi.streams.every((s) => s.ok)).toBe(true);
    expect(multi.streams[3].globals.map((g) => `${g.module}.${g.name}`)).toEqual(['posix.system']);
    expect(multi.end).toBeLessThan(buf.length); // stopped at the raw storage bytes
  });

  it('stops at the first broken stream', () => {
    const multi = walkPickles(b([0x80, 2, 0x4e, 0x2e, 0x80, 2, 0xee, 0x80, 2, 0x4e, 0x2e]));
    expect(multi.streams.map((s) => s.ok)).toEqual([true, false]);
  });
});

describe('joblib NumPy payloads', () => {
  it('skips the raw array bytes after the NumpyArrayWrapper BUILD and keeps walking', () => {
    const buf = new Uint8Array(readFileSync(path.join(FIXTURES_ROOT, 'unsafe-pickle', 'joblib-array.joblib')));
    const r = walkPickle(buf);
    expect(r.ok, r.error?.reason).toBe(true);
    expect(r.end).toBe(buf.length);
    expect(r.globals.map((g) => g.name)).toContain('NumpyArrayWrapper');
  });

  it('walks the nested pickle joblib writes for an object array', () => {
    const buf = b([0x80, 2], 'cjoblib.numpy_pickle\nNumpyArrayWrapper\n', [0x29, 0x81, 0x7d, 0x28], "S'shape'\n", [0x4b, 1, 0x85],
      "S'dtype'\ncnumpy\ndtype\n(S'O8'\nI00\nI01\ntR", [0x75, 0x62], "cposix\nsystem\n(S'x'\ntR.", '.');
    const r = walkPickle(buf);
    expect(r.ok, r.error?.reason).toBe(true);
    expect(r.end).toBe(buf.length);
    expect(r.globals.map((g) => `${g.module}.${g.name}`)).toEqual(['joblib.numpy_pickle.NumpyArrayWrapper', 'numpy.dtype', 'posix.system']);
  });

  it('reports a wrapper whose array size cannot be known', () => {
    // NEWOBJ joblib.numpy_pickle.NumpyArrayWrapper with an empty state dict, then BUILD
    const r = walkPickle(b([0x80, 2], 'cjoblib.numpy_pickle\nNumpyArrayWrapper\n', [0x29, 0x81, 0x7d, 0x62, 0x2e]));
    expect(r.ok).toBe(false);
    expect(r.error?.reason).toMatch(/unknown size/);
  });
});

describe('fuzz: random and damaged input never throws and finishes fast', () => {
  let seed = 0x2545f491;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const real = readdirSync(path.join(FIXTURES_ROOT, 'unsafe-pickle'))
    .filter((n) => /\.(pkl|pth|joblib)$/.test(n))
    .map((n) => new Uint8Array(readFileSync(path.join(FIXTURES_ROOT, 'unsafe-pickle', n))));

  it('random byte strings', () => {
    const t0 = performance.now();
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rand() * 300);
      const buf = new Uint8Array(len).map(() => Math.floor(rand() * 256));
      if (rand() < 0.5 && len > 1) (buf[0] = 0x80), (buf[1] = Math.floor(rand() * 6));
      const r = walkPickles(buf);
      if (r.streams.some((s) => !s.ok)) failures++;
    }
    expect(failures).toBeGreaterThan(2500); // random data is almost never a pickle
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('every truncation and random byte flips of real pickles', () => {
    const t0 = performance.now();
    let mismatches = 0;
    for (const buf of real) {
      const full = walkPickle(buf);
      for (let n = 0; n < buf.length; n++) {
        const r = walkPickle(buf.subarray(0, n));
        // A prefix is a complete pickle exactly when it still holds the first STOP.
        if (full.ok && r.ok !== n >= full.end) mismatches++;
      }
      for (let i = 0; i < 200; i++) {
        const copy = buf.slice();
        for (let k = 0; k < 3; k++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
        walkPickles(copy);
      }
    }
    expect(mismatches).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
