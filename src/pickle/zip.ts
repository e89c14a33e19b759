/**
 * A small, bounded ZIP reader (central directory + local headers, ZIP64 aware) for PyTorch checkpoints,
 * `.npz`, `.mar`. Stored entries are returned as views, deflated ones through inflateRawSync with an output
 * cap (zip-bomb guard). Never throws: problems come back as strings.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local file header. */
  headerOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  problem?: string;
}

export interface ZipLimits {
  maxEntries: number;
  /** Largest uncompressed entry this reader will produce. */
  maxEntryBytes: number;
  /** Largest declared compression ratio accepted for a deflated entry. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 20_000, maxEntryBytes: 128 * 1024 * 1024, maxRatio: 1000 };

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && ((buf[2] === 3 && buf[3] === 4) || (buf[2] === 5 && buf[3] === 6));
}

function dv(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Reads the central directory. */
export function readZipDirectory(buf: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipDirectory {
  const view = dv(buf);
  let eocd = -1;
  for (let i = buf.length - 22; i >= 0 && i >= buf.length - 22 - 0xffff; i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { entries: [], problem: 'ZIP end-of-central-directory record not found (truncated archive)' };
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const rec = u64(view, eocd - 20 + 8);
    if (rec + 56 > buf.length || view.getUint32(rec, true) !== ZIP64_EOCD) return { entries: [], problem: 'ZIP64 end-of-central-directory record is invalid' };
    count = u64(view, rec + 32);
    cdSize = u64(view, rec + 40);
    cdOffset = u64(view, rec + 48);
  }
  if (count > limits.maxEntries) return { entries: [], problem: `ZIP declares ${count} entries, above the ${limits.maxEntries} this scanner reads` };
  if (cdOffset + cdSize > buf.length) return { entries: [], problem: 'ZIP central directory lies outside the file (truncated archive)' };
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  const dec = new TextDecoder('utf-8');
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || view.getUint32(p, true) !== CENTRAL) return { entries, problem: 'ZIP central directory entry is corrupt' };
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let headerOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > buf.length) return { entries, problem: 'ZIP central directory entry is truncated' };
    const name = dec.decode(buf.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: only the fields whose 32-bit value is saturated are present, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let f = e + 4;
        const fEnd = Math.min(e + 4 + len, extraEnd);
        if (size === 0xffffffff && f + 8 <= fEnd) (size = u64(view, f)), (f += 8);
        if (compressedSize === 0xffffffff && f + 8 <= fEnd) (compressedSize = u64(view, f)), (f += 8);
        if (headerOffset === 0xffffffff && f + 8 <= fEnd) headerOffset = u64(view, f);
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, headerOffset });
    p = extraEnd + commentLen;
  }
  return { entries };
}

export type EntryData = { ok: true; data: Uint8Array } | { ok: false; problem: string };

/** The uncompressed content of one entry, within the limits. */
export function readZipEntry(buf: Uint8Array, entry: ZipEntry, limits: ZipLimits = DEFAULT_ZIP_LIMITS): EntryData {
  const view = dv(buf);
  const h = entry.headerOffset;
  if (h + 30 > buf.length || view.getUint32(h, true) !== LOCAL) return { ok: false, problem: `local header of ${entry.name} is missing or corrupt` };
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  const end = start + entry.compressedSize;
  if (end > buf.length) return { ok: false, problem: `${entry.name} runs past the end of the archive (truncated)` };
  const raw = buf.subarray(start, end);
  if (entry.method === 0) return { ok: true, data: raw };
  if (entry.method !== 8) return { ok: false, problem: `${entry.name} uses ZIP compression method ${entry.method}, which this scanner cannot read` };
  if (entry.size > limits.maxEntryBytes) return { ok: false, problem: `${entry.name} declares ${entry.size} bytes uncompressed, above the ${limits.maxEntryBytes}-byte limit` };
  if (entry.compressedSize > 0 && entry.size / entry.compressedSize > limits.maxRatio) {
    return { ok: false, problem: `${entry.name} declares a compression ratio above ${limits.maxRatio}:1 (zip bomb?)` };
  }
  try {
    // The declared size may lie: the output cap is what really bounds memory.
    const out = inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(limits.maxEntryBytes, entry.size + 1024)) });
    return { ok: true, data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
  } catch (err) {
    return { ok: false, problem: `${entry.name} does not inflate (${(err as Error).message.slice(0, 80)})` };
  }
}
