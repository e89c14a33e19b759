/**
 * A pickle opcode walker that never unpickles. It decodes every opcode of protocols 0-5, keeps a
 * symbolic stack and memo (so STACK_GLOBAL operands that arrive through MEMOIZE/PUT + GET are
 * resolved), and reports each global the stream would import. Bounded: opcode count, stack depth,
 * nested-pickle depth. Malformed input ends the walk with a structured error, never a throw.
 */

export type ImportOpcode = 'GLOBAL' | 'INST' | 'STACK_GLOBAL' | 'EXT1' | 'EXT2' | 'EXT4';

export interface ImportedGlobal {
  module: string;
  name: string;
  /** Byte offset of the importing opcode in the walked buffer. */
  offset: number;
  opcode: ImportOpcode;
}

export interface WalkLimits {
  /** Opcodes decoded before the walk gives up (per stream, nested pickles included). */
  maxOpcodes: number;
  /** Values on the stack plus open MARKs. */
  maxStackDepth: number;
  /** Pickles nested inside joblib object arrays. */
  maxNesting: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxOpcodes: 2_000_000, maxStackDepth: 100_000, maxNesting: 4 };

export interface WalkError {
  offset: number;
  reason: string;
}

export interface PickleWalk {
  /** True when the stream reached STOP with no error. */
  ok: boolean;
  /** Globals imported before the end (or before the error: they are kept, the payload often comes first). */
  globals: ImportedGlobal[];
  /** Offset just after STOP (or where the walk stopped). */
  end: number;
  opcodes: number;
  /** Protocol from the PROTO opcode, 0 when absent. */
  protocol: number;
  error?: WalkError;
}

/** Symbolic values: just enough to resolve STACK_GLOBAL and to size joblib array payloads. */
type Val =
  | { k: 'str'; v: string }
  | { k: 'int'; v: number }
  | { k: 'none' }
  | { k: 'bool'; v: boolean }
  | { k: 'bytes'; n: number }
  | { k: 'global'; module: string; name: string }
  | { k: 'tuple'; items: Val[] }
  | { k: 'list'; items: Val[] }
  | { k: 'dict'; entries: [Val, Val][] }
  | { k: 'call'; fn: Val; args: Val; state?: Val }
  | { k: 'other' };

const OTHER: Val = { k: 'other' };
const NONE: Val = { k: 'none' };

class WalkFailure {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** Python's codecs.escape_decode for the quoted body of a protocol-0 STRING. */
function escapeDecode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[n];
    else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else out += `\\${n}`;
  }
  return out;
}

/** Python's raw-unicode-escape decoding for protocol-0 UNICODE. */
function rawUnicodeDecode(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => {
    const cp = parseInt(a ?? (b as string), 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

function decimal(text: string, off: number): number {
  const t = text.trim().replace(/L$/, '');
  if (!/^[+-]?\d+$/.test(t)) throw new WalkFailure(off, `bad decimal argument "${t.slice(0, 20)}"`);
  return Number(t);
}

function littleSigned(b: Uint8Array): number {
  if (b.length === 0) return 0;
  if (b.length > 6) return Number.NaN; // too large to matter for sizes; kept symbolic
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
  if (b[b.length - 1] & 0x80) v -= 2 ** (8 * b.length);
  return v;
}

/** The class a NEWOBJ / REDUCE(copyreg._reconstructor) call instantiates, when known. */
function classOf(v: Val): { module: string; name: string } | undefined {
  if (v.k !== 'call') return undefined;
  if (v.fn.k === 'global') {
    if (/^copy_?reg$/.test(v.fn.module) && v.fn.name === '_reconstructor' && v.args.k === 'tuple') {
      const first = v.args.items[0];
      return first?.k === 'global' ? first : undefined;
    }
    return v.fn;
  }
  return undefined;
}

function dictGet(d: Val, key: string): Val | undefined {
  if (d.k !== 'dict') return undefined;
  for (const [k, v] of d.entries) if (k.k === 'str' && k.v === key) return v;
  return undefined;
}

/** NumPy dtype item size from a symbolic `numpy.dtype('f8', False, True)` call (+ BUILD state); 'O' = object. */
function dtypeItemSize(d: Val | undefined): number | 'object' | undefined {
  if (!d || d.k !== 'call' || d.args.k !== 'tuple') return undefined;
  const spec = d.args.items[0];
  if (spec?.k !== 'str') return undefined;
  const m = /^([a-zA-Z?])(\d*)$/.exec(spec.v);
  if (!m) return undefined;
  if (m[1] === 'O') return 'object';
  const state = d.state;
  if (state?.k === 'tuple') {
    const elsize = state.items[5];
    if (elsize?.k === 'int' && elsize.v > 0) return elsize.v;
  }
  if (!m[2]) return m[1] === '?' ? 1 : undefined;
  const n = Number(m[2]);
  return m[1] === 'U' ? n * 4 : n;
}

/** Bytes joblib writes raw after the BUILD of a NumpyArrayWrapper, or 'object' for a nested pickle. */
function joblibPayload(wrapper: Val): { bytes: number; aligned: boolean } | 'object' | undefined {
  if (wrapper.k !== 'call') return undefined;
  const state = wrapper.state;
  const shape = dictGet(state ?? OTHER, 'shape');
  const size = dtypeItemSize(dictGet(state ?? OTHER, 'dtype'));
  if (size === 'object') return 'object';
  if (size === undefined || shape?.k !== 'tuple') return undefined;
  let count = 1;
  for (const d of shape.items) {
    if (d.k !== 'int' || !Number.isSafeInteger(d.v) || d.v < 0) return undefined;
    count *= d.v;
  }
  const align = dictGet(state ?? OTHER, 'numpy_array_alignment_bytes');
  return { bytes: count * size, aligned: align?.k === 'int' && align.v > 0 };
}

function isJoblibWrapper(v: Val): boolean {
  const cls = classOf(v);
  return !!cls && cls.name === 'NumpyArrayWrapper' && /(^|\.)joblib\.numpy_pickle$/.test(cls.module);
}

interface Walker {
  buf: Uint8Array;
  view: DataView;
  limits: WalkLimits;
  globals: ImportedGlobal[];
  opcodes: number;
}

/**
 * Walks one pickle stream starting at `start`. Never throws; `ok: false` with `error` on truncated input,
 * an unknown opcode, a memo reference to a missing key, a stack underflow or a limit hit.
 */
export function walkPickle(buf: Uint8Array, start = 0, limits: WalkLimits = DEFAULT_WALK_LIMITS): PickleWalk {
  const w: Walker = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), limits, globals: [], opcodes: 0 };
  return walkStream(w, start, 0);
}

function walkStream(w: Walker, start: number, nesting: number): PickleWalk {
  const { buf, view, limits } = w;
  let pos = start;
  let protocol = 0;
  let stack: Val[] = [];
  const marks: Val[][] = [];
  const memo = new Map<number, Val>();
  let op = start;

  const need = (n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > buf.length) throw new WalkFailure(op, 'truncated pickle (argument runs past the end of the data)');
  };
  const u8 = (): number => {
    need(1);
    return buf[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WalkFailure(op, 'truncated pickle (8-byte length beyond the data)');
    return Number(v);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = (): string => {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) throw new WalkFailure(op, 'truncated pickle (missing end of line)');
    const s = latin1.decode(buf.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const push = (v: Val): void => {
    if (stack.length + marks.length >= limits.maxStackDepth) throw new WalkFailure(op, `stack deeper than ${limits.maxStackDepth}`);
    stack.push(v);
  };
  const pop = (): Val => {
    const v = stack.pop();
    if (v === undefined) throw new WalkFailure(op, 'stack underflow (malformed pickle)');
    return v;
  };
  const top = (): Val => {
    const v = stack[stack.length - 1];
    if (v === undefined) throw new WalkFailure(op, 'stack underflow (malformed pickle)');
    return v;
  };
  const popMark = (): Val[] => {
    const prev = marks.pop();
    if (prev === undefined) throw new WalkFailure(op, 'MARK missing (malformed pickle)');
    const items = stack;
    stack = prev;
    return items;
  };
  const get = (key: number): Val => {
    const v = memo.get(key);
    if (v === undefined) throw new WalkFailure(op, `memo reference to missing key ${key}`);
    return v;
  };
  const put = (key: number): void => {
    if (!Number.isSafeInteger(key) || key < 0) throw new WalkFailure(op, `negative memo key ${key}`);
    memo.set(key, top());
  };
  const record = (module: string, name: string, opcode: ImportOpcode): Val => {
    w.globals.push({ module, name, offset: op, opcode });
    return { k: 'global', module, name };
  };
  const build = (obj: Val, state: Val): void => {
    if (obj.k === 'call' && obj.state === undefined) obj.state = state;
  };

  try {
    for (;;) {
      op = pos;
      if (++w.opcodes > limits.maxOpcodes) throw new WalkFailure(op, `more than ${limits.maxOpcodes} opcodes`);
      if (pos >= buf.length) throw new WalkFailure(op, 'truncated pickle (no STOP opcode)');
      const code = buf[pos++];
      switch (code) {
        case 0x2e: // STOP
          if (stack.length === 0) throw new WalkFailure(op, 'STOP with an empty stack');
          return { ok: true, globals: w.globals, end: pos, opcodes: w.opcodes, protocol };
        case 0x80: // PROTO
          protocol = u8();
          if (protocol > 5) throw new WalkFailure(op, `unsupported pickle protocol ${protocol}`);
          break;
        case 0x95: // FRAME: framing is transparent, only check the frame fits
          need(u64());
          break;
        case 0x28: // MARK
          if (stack.length + marks.length >= limits.maxStackDepth) throw new WalkFailure(op, `stack deeper than ${limits.maxStackDepth}`);
          marks.push(stack);
          stack = [];
          break;
        case 0x30: // POP
          if (stack.length > 0) stack.pop();
          else popMark(); // Python: POP with an empty stack pops the MARK
          break;
        case 0x31: // POP_MARK
          popMark();
          break;
        case 0x32: // DUP
          push(top());
          break;
        // ---- numbers, constants
        case 0x46: // FLOAT
          line();
          push(OTHER);
          break;
        case 0x49: { // INT
          const t = line();
          if (t === '00' || t === '01') push({ k: 'bool', v: t === '01' });
          else push({ k: 'int', v: decimal(t, op) });
          break;
        }
        case 0x4c: // LONG
          push({ k: 'int', v: decimal(line(), op) });
          break;
        case 0x4a: // BININT
          push({ k: 'int', v: i32() });
          break;
        case 0x4b: // BININT1
          push({ k: 'int', v: u8() });
          break;
        case 0x4d: // BININT2
          push({ k: 'int', v: u16() });
          break;
        case 0x8a: // LONG1
          push({ k: 'int', v: littleSigned(take(u8())) });
          break;
        case 0x8b: { // LONG4
          const n = i32();
          if (n < 0) throw new WalkFailure(op, 'LONG4 with a negative length');
          push({ k: 'int', v: littleSigned(take(n)) });
          break;
        }
        case 0x47: // BINFLOAT
          take(8);
          push(OTHER);
          break;
        case 0x4e: // NONE
          push(NONE);
          break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          push({ k: 'bool', v: code === 0x88 });
          break;
        // ---- strings and bytes
        case 0x53: { // STRING: quoted Python literal
          const t = line();
          const q = t[0];
          if (t.length < 2 || (q !== "'" && q !== '"') || t[t.length - 1] !== q) throw new WalkFailure(op, 'STRING argument is not quoted');
          push({ k: 'str', v: escapeDecode(t.slice(1, -1)) });
          break;
        }
        case 0x54: { // BINSTRING (signed length)
          const n = i32();
          if (n < 0) throw new WalkFailure(op, 'BINSTRING with a negative length');
          push({ k: 'str', v: latin1.decode(take(n)) });
          break;
        }
        case 0x55: // SHORT_BINSTRING
          push({ k: 'str', v: latin1.decode(take(u8())) });
          break;
        case 0x56: // UNICODE
          push({ k: 'str', v: rawUnicodeDecode(line()) });
          break;
        case 0x58: // BINUNICODE
          push({ k: 'str', v: utf8.decode(take(u32())) });
          break;
        case 0x8c: // SHORT_BINUNICODE
          push({ k: 'str', v: utf8.decode(take(u8())) });
          break;
        case 0x8d: // BINUNICODE8
          push({ k: 'str', v: utf8.decode(take(u64())) });
          break;
        case 0x42: // BINBYTES
          push({ k: 'bytes', n: take(u32()).length });
          break;
        case 0x43: // SHORT_BINBYTES
          push({ k: 'bytes', n: take(u8()).length });
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          push({ k: 'bytes', n: take(u64()).length });
          break;
        case 0x97: // NEXT_BUFFER: out-of-band buffer, content not in the stream
          push(OTHER);
          break;
        case 0x98: // READONLY_BUFFER
          top();
          break;
        // ---- containers
        case 0x29: // EMPTY_TUPLE
          push({ k: 'tuple', items: [] });
          break;
        case 0x74: // TUPLE
          push({ k: 'tuple', items: popMark() });
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: { // TUPLE3
          const n = code - 0x84;
          const items: Val[] = [];
          for (let i = 0; i < n; i++) items.unshift(pop());
          push({ k: 'tuple', items });
          break;
        }
        case 0x5d: // EMPTY_LIST
          push({ k: 'list', items: [] });
          break;
        case 0x6c: // LIST
          push({ k: 'list', items: popMark() });
          break;
        case 0x61: { // APPEND
          const v = pop();
          const l = top();
          if (l.k === 'list') l.items.push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = popMark();
          const l = top();
          if (l.k === 'list') for (const v of items) l.items.push(v);
          break;
        }
        case 0x7d: // EMPTY_DICT
          push({ k: 'dict', entries: [] });
          break;
        case 0x64: { // DICT
          const items = popMark();
          const entries: [Val, Val][] = [];
          for (let i = 0; i + 1 < items.length; i += 2) entries.push([items[i], items[i + 1]]);
          push({ k: 'dict', entries });
          break;
        }
        case 0x73: { // SETITEM
          const v = pop();
          const k = pop();
          const d = top();
          if (d.k === 'dict') d.entries.push([k, v]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = popMark();
          const d = top();
          if (d.k === 'dict') for (let i = 0; i + 1 < items.length; i += 2) d.entries.push([items[i], items[i + 1]]);
          break;
        }
        case 0x8f: // EMPTY_SET
          push(OTHER);
          break;
        case 0x90: // ADDITEMS
          popMark();
          top();
          break;
        case 0x91: // FROZENSET
          popMark();
          push(OTHER);
          break;
        // ---- memo
        case 0x67: // GET
          push(get(decimal(line(), op)));
          break;
        case 0x68: // BINGET
          push(get(u8()));
          break;
        case 0x6a: // LONG_BINGET
          push(get(u32()));
          break;
        case 0x70: // PUT
          put(decimal(line(), op));
          break;
        case 0x71: // BINPUT
          put(u8());
          break;
        case 0x72: // LONG_BINPUT
          put(u32());
          break;
        case 0x94: // MEMOIZE
          put(memo.size);
          break;
        // ---- imports and calls
        case 0x63: { // GLOBAL
          const module = line();
          const name = line();
          push(record(module, name, 'GLOBAL'));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (module.k !== 'str' || name.k !== 'str') throw new WalkFailure(op, 'STACK_GLOBAL operands are not strings');
          push(record(module.v, name.v, 'STACK_GLOBAL'));
          break;
        }
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: { // EXT4
          const ext = code === 0x82 ? u8() : code === 0x83 ? u16() : i32();
          const opname = code === 0x82 ? 'EXT1' : code === 0x83 ? 'EXT2' : 'EXT4';
          // The copyreg extension registry of the loading process decides what this imports.
          push(record('copyreg._extension_registry', String(ext), opname));
          break;
        }
        case 0x69: { // INST
          const module = line();
          const name = line();
          const args = popMark();
          push({ k: 'call', fn: record(module, name, 'INST'), args: { k: 'tuple', items: args } });
          break;
        }
        case 0x6f: { // OBJ
          const items = popMark();
          if (items.length === 0) throw new WalkFailure(op, 'OBJ without a class');
          push({ k: 'call', fn: items[0], args: { k: 'tuple', items: items.slice(1) } });
          break;
        }
        case 0x52: { // REDUCE
          const args = pop();
          const fn = pop();
          push({ k: 'call', fn, args });
          break;
        }
        case 0x81: { // NEWOBJ
          const args = pop();
          const cls = pop();
          push({ k: 'call', fn: cls, args });
          break;
        }
        case 0x92: { // NEWOBJ_EX
          pop(); // kwargs
          const args = pop();
          const cls = pop();
          push({ k: 'call', fn: cls, args });
          break;
        }
        case 0x62: { // BUILD
          const state = pop();
          const obj = top();
          build(obj, state);
          if (isJoblibWrapper(obj)) pos = skipJoblibArray(w, obj, pos, op, nesting);
          break;
        }
        case 0x50: // PERSID
          line();
          push(OTHER);
          break;
        case 0x51: // BINPERSID
          pop();
          push(OTHER);
          break;
        default:
          throw new WalkFailure(op, `unknown opcode 0x${code.toString(16).padStart(2, '0')}`);
      }
    }
  } catch (err) {
    // Anything else would be a walker bug; it still must not escape as a throw.
    const e = err instanceof WalkFailure ? err : new WalkFailure(op, `internal error: ${(err as Error).message}`);
    return { ok: false, globals: w.globals, end: pos, opcodes: w.opcodes, protocol, error: { offset: e.offset, reason: e.reason } };
  }
}

/**
 * joblib writes each NumPy array's raw bytes right after the BUILD of its NumpyArrayWrapper (object arrays as a
 * nested protocol-2 pickle). Returns the offset where the opcode stream resumes.
 */
function skipJoblibArray(w: Walker, wrapper: Val, pos: number, op: number, nesting: number): number {
  const payload = joblibPayload(wrapper);
  if (payload === undefined) throw new WalkFailure(op, 'joblib array payload of unknown size');
  if (payload === 'object') {
    if (nesting + 1 > w.limits.maxNesting) throw new WalkFailure(op, `pickles nested deeper than ${w.limits.maxNesting}`);
    const inner = walkStream(w, pos, nesting + 1);
    if (!inner.ok) throw new WalkFailure(inner.error?.offset ?? pos, `in a nested joblib object array: ${inner.error?.reason ?? 'malformed'}`);
    return inner.end;
  }
  let p = pos;
  if (payload.aligned) {
    if (p >= w.buf.length) throw new WalkFailure(op, 'truncated joblib array padding');
    p += 1 + w.buf[p];
  }
  p += payload.bytes;
  if (p > w.buf.length) throw new WalkFailure(op, 'truncated joblib array data');
  return p;
}

export interface MultiWalk {
  streams: PickleWalk[];
  /** Offset where walking stopped: the end of the data, trailing non-pickle bytes, or an error. */
  end: number;
}

/** Bytes a pickle stream may start with: PROTO, or the usual protocol 0/1 openers. */
export function looksLikePickleStart(buf: Uint8Array, at: number): boolean {
  const b = buf[at];
  if (b === 0x80) return buf[at + 1] !== undefined && buf[at + 1] <= 5;
  return b !== undefined && '(]}c)NIVSl'.includes(String.fromCharCode(b));
}

/**
 * Walks consecutive pickles (legacy PyTorch files hold several, then raw storage bytes). Stops at the first
 * error, at `maxStreams`, or when the next byte does not look like the start of a pickle.
 */
export function walkPickles(buf: Uint8Array, start = 0, maxStreams = 16, limits: WalkLimits = DEFAULT_WALK_LIMITS): MultiWalk {
  const streams: PickleWalk[] = [];
  let pos = start;
  let opcodes = 0;
  while (streams.length < maxStreams && pos < buf.length) {
    if (streams.length > 0 && !looksLikePickleStart(buf, pos)) break;
    const r = walkPickle(buf, pos, { ...limits, maxOpcodes: Math.max(1, limits.maxOpcodes - opcodes) });
    opcodes += r.opcodes;
    streams.push(r);
    pos = r.end;
    if (!r.ok) break;
  }
  return { streams, end: pos };
}
