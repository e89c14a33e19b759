/** Bytes to text, for every reader of repository files: UTF-8 only, and binary (a NUL byte) is not text. */

export function decodeText(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes || bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
