/**
 * Finds the pickle streams inside a model file and walks them: plain pickles (protocols 0-5), legacy
 * PyTorch files (several pickles, then raw storages), PyTorch/TorchServe/NumPy zip archives, joblib files
 * (raw or zlib/gzip-compressed), NumPy `.npy` object arrays. Format comes from magic bytes, not the name.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { DEFAULT_WALK_LIMITS, looksLikePickleStart, walkPickles, type ImportedGlobal, type WalkLimits } from './walker.js';
import { DEFAULT_ZIP_LIMITS, isZip, readZipDirectory, readZipEntry, type ZipLimits } from './zip.js';

export type ModelFormat =
  | 'pickle'
  | 'torch-legacy'
  | 'zip'
  | 'zlib'
  | 'gzip'
  | 'joblib-zfile'
  | 'bz2'
  | 'xz'
  | 'lz4'
  | 'npy'
  | 'safetensors'
  | 'gguf'
  | 'hdf5'
  | 'tflite'
  | 'spss'
  | 'lfs-pointer'
  | 'unknown';

/** One pickle stream found in the file. `where` names the archive member or wrapper, '' for the file itself. */
export interface StreamResult {
  where: string;
  globals: ImportedGlobal[];
  ok: boolean;
  error?: { offset: number; reason: string };
}

export interface ModelScan {
  format: ModelFormat;
  /** Pickle streams walked (empty when the file holds none). */
  streams: StreamResult[];
  /** Content that could not be inspected at all (unsupported compression, corrupt archive, limits). */
  problems: { where: string; reason: string }[];
}

export interface ScanOptions {
  /** Treat unrecognised content as a pickle (for `.pkl`-like names); otherwise it is left alone. */
  assumePickle: boolean;
  walk?: WalkLimits;
  zip?: ZipLimits;
  /** Largest decompressed zlib/gzip payload. */
  maxInflate?: number;
}

const LFS_HEADER = 'version https://git-lfs.github.com/spec/v1';
/** `torch.save` legacy format starts with a pickled magic number: 0x1950a86a20f9469cfc6c. */
const TORCH_LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const MAX_ARCHIVE_DEPTH = 2;

function startsWith(buf: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

export function isLfsPointerBytes(buf: Uint8Array | undefined): boolean {
  return !!buf && buf.length <= 1024 && startsWith(buf, ascii(LFS_HEADER));
}

function isSafetensors(buf: Uint8Array): boolean {
  if (buf.length < 10) return false;
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  return buf[8] === 0x7b && n >= 2n && n <= BigInt(buf.length - 8);
}

/** Identifies a model file from its first bytes. */
export function sniffFormat(buf: Uint8Array): ModelFormat {
  if (isLfsPointerBytes(buf)) return 'lfs-pointer';
  if (isZip(buf)) return 'zip';
  if (startsWith(buf, TORCH_LEGACY_MAGIC)) return 'torch-legacy';
  if (buf.length >= 2 && buf[0] === 0x80 && buf[1] >= 2 && buf[1] <= 5) return 'pickle';
  if (startsWith(buf, [0x93, ...ascii('NUMPY')])) return 'npy';
  if (startsWith(buf, ascii('GGUF'))) return 'gguf';
  if (startsWith(buf, [0x89, ...ascii('HDF\r\n'), 0x1a, 0x0a])) return 'hdf5';
  if (startsWith(buf, ascii('TFL3'), 4)) return 'tflite';
  if (startsWith(buf, ascii('$FL2')) || startsWith(buf, ascii('$FL3'))) return 'spss';
  if (startsWith(buf, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(buf, ascii('BZh'))) return 'bz2';
  if (startsWith(buf, [0xfd, ...ascii('7zXZ')])) return 'xz';
  if (startsWith(buf, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (startsWith(buf, ascii('ZF'))) return 'joblib-zfile';
  if (isSafetensors(buf)) return 'safetensors';
  if (buf.length >= 2 && (buf[0] & 0x0f) === 8 && buf[0] >> 4 <= 7 && ((buf[0] << 8) | buf[1]) % 31 === 0) return 'zlib';
  return 'unknown';
}

/** Formats that can carry a pickle (and so run code on load). */
export function isPickleCapable(format: ModelFormat): boolean {
  return ['pickle', 'torch-legacy', 'zip', 'zlib', 'gzip', 'joblib-zfile', 'bz2', 'xz', 'lz4'].includes(format);
}

/** Archive members worth walking: PyTorch `data.pkl`, any `.pkl`/`.pickle`, NumPy arrays, nested checkpoints. */
function memberKind(name: string): 'pickle' | 'npy' | 'nested' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('/')) return undefined;
  if (/(^|\/)data\.pkl$/.test(lower) || /\.(pkl|pickle)$/.test(lower)) return 'pickle';
  if (lower.endsWith('.npy')) return 'npy';
  if (/\.(pt|pth|bin|ckpt|joblib)$/.test(lower)) return 'nested';
  return undefined;
}

interface Ctx {
  opts: Required<Pick<ScanOptions, 'walk' | 'zip' | 'maxInflate'>>;
  streams: StreamResult[];
  problems: { where: string; reason: string }[];
  /** Opcodes left for the whole file (archives may hold many pickles). */
  opcodeBudget: number;
  /** Decompressed bytes left for the whole file. */
  inflateBudget: number;
}

function walkAll(ctx: Ctx, buf: Uint8Array, where: string, start = 0): void {
  if (ctx.opcodeBudget <= 0) return void ctx.problems.push({ where, reason: 'scan budget exhausted (too many pickle opcodes in one file)' });
  const multi = walkPickles(buf, start, 16, { ...ctx.opts.walk, maxOpcodes: Math.min(ctx.opts.walk.maxOpcodes, ctx.opcodeBudget) });
  for (const s of multi.streams) {
    ctx.opcodeBudget -= s.opcodes;
    ctx.streams.push({ where, globals: s.globals, ok: s.ok, error: s.error });
  }
}

/** `.npy`: header dict; an object dtype (`'|O'`) means the data is a pickle. */
function scanNpy(ctx: Ctx, buf: Uint8Array, where: string): void {
  if (buf.length < 10) return void ctx.problems.push({ where, reason: 'truncated NumPy header' });
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : buf.length >= 12 ? view.getUint32(8, true) : -1;
  const start = (major === 1 ? 10 : 12) + headerLen;
  if (headerLen < 0 || start > buf.length) return void ctx.problems.push({ where, reason: 'truncated NumPy header' });
  const header = new TextDecoder('latin1').decode(buf.subarray(major === 1 ? 10 : 12, start));
  if (/['"]descr['"]\s*:\s*['"][|<>=]?O/.test(header)) walkAll(ctx, buf, where, start);
}

function inflateTo(ctx: Ctx, buf: Uint8Array, kind: 'zlib' | 'gzip'): Uint8Array | string {
  try {
    const max = Math.max(1, Math.min(ctx.opts.maxInflate, ctx.inflateBudget));
    const out = (kind === 'zlib' ? inflateSync : gunzipSync)(buf, { maxOutputLength: max });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const msg = (err as Error).message;
    return /larger than|maxOutputLength|buffer/i.test(msg) ? `decompresses to more than ${ctx.opts.maxInflate} bytes (decompression bomb?)` : `${kind} data is corrupt (${msg.slice(0, 60)})`;
  }
}

function scanBuffer(ctx: Ctx, buf: Uint8Array, where: string, assumePickle: boolean, depth: number): ModelFormat {
  const format = sniffFormat(buf);
  switch (format) {
    case 'pickle':
    case 'torch-legacy':
      walkAll(ctx, buf, where);
      break;
    case 'npy':
      scanNpy(ctx, buf, where);
      break;
    case 'zip': {
      if (depth >= MAX_ARCHIVE_DEPTH) {
        ctx.problems.push({ where, reason: 'archive nested too deeply' });
        break;
      }
      const dir = readZipDirectory(buf, ctx.opts.zip);
      if (dir.problem) ctx.problems.push({ where, reason: dir.problem });
      for (const entry of dir.entries) {
        const kind = memberKind(entry.name);
        if (!kind) continue;
        const inner = where ? `${where}!${entry.name}` : entry.name;
        if (ctx.inflateBudget <= 0) {
          ctx.problems.push({ where: inner, reason: 'scan budget exhausted (too much decompressed data in one file)' });
          break;
        }
        const data = readZipEntry(buf, entry, { ...ctx.opts.zip, maxEntryBytes: Math.min(ctx.opts.zip.maxEntryBytes, ctx.inflateBudget) });
        if (!data.ok) {
          ctx.problems.push({ where: inner, reason: data.problem });
          continue;
        }
        if (entry.method !== 0) ctx.inflateBudget -= data.data.length;
        if (kind === 'pickle') walkAll(ctx, data.data, inner);
        else scanBuffer(ctx, data.data, inner, false, depth + 1);
      }
      break;
    }
    case 'zlib':
    case 'gzip':
    case 'joblib-zfile': {
      if (depth >= MAX_ARCHIVE_DEPTH) {
        ctx.problems.push({ where, reason: 'compressed data nested too deeply' });
        break;
      }
      // Old joblib: "ZF" + hex length padded to 19 characters, then a zlib stream.
      const payload = format === 'joblib-zfile' ? buf.subarray(21) : buf;
      const out = inflateTo(ctx, payload, format === 'gzip' ? 'gzip' : 'zlib');
      if (typeof out !== 'string') {
        ctx.inflateBudget -= out.length;
        scanBuffer(ctx, out, where, true, depth + 1);
      }
      // A protocol-0 pickle such as "(S'..." can pass the two-byte zlib header test: walk it as a pickle then.
      else if (format === 'zlib' && assumePickle && looksLikePickleStart(buf, 0)) walkAll(ctx, buf, where);
      else ctx.problems.push({ where, reason: out });
      break;
    }
    case 'bz2':
    case 'xz':
    case 'lz4':
      ctx.problems.push({ where, reason: `${format}-compressed content this scanner cannot decompress` });
      break;
    case 'unknown':
      if (assumePickle) walkAll(ctx, buf, where);
      break;
    default:
      break; // safetensors, gguf, hdf5, tflite, spss, LFS pointers: no pickle inside
  }
  return format;
}

/** Scans a model file's bytes. Never throws. */
export function scanModelBytes(buf: Uint8Array, options: ScanOptions): ModelScan {
  const opts = { walk: options.walk ?? DEFAULT_WALK_LIMITS, zip: options.zip ?? DEFAULT_ZIP_LIMITS, maxInflate: options.maxInflate ?? 128 * 1024 * 1024 };
  const ctx: Ctx = { opts, streams: [], problems: [], opcodeBudget: opts.walk.maxOpcodes * 4, inflateBudget: 4 * opts.maxInflate };
  let format: ModelFormat = 'unknown';
  try {
    format = scanBuffer(ctx, buf, '', options.assumePickle, 0);
  } catch (err) {
    // Defensive: every reader above reports problems as data; a throw here would be a bug.
    ctx.problems.push({ where: '', reason: `internal error while scanning: ${(err as Error).message}` });
  }
  return { format, streams: ctx.streams, problems: ctx.problems };
}
