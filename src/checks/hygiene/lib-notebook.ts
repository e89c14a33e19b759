/**
 * Jupyter notebooks: the text a reviewer sees (cell sources, stream and text outputs), decoded from
 * the .ipynb JSON with a map back to offsets in the file, so a finding points at the .ipynb line.
 * A small position-keeping JSON reader: iterative-enough (depth-capped), linear, never throws.
 */

export interface NotebookText {
  /** Decoded text of one cell source or one output (array parts joined). */
  text: string;
  /** File offset of each character of `text`. */
  offsets: Int32Array;
}

interface StringTok { value: string; offsets: number[] }
type Json = { kind: 'str'; tok: StringTok } | { kind: 'arr'; items: Json[] } | { kind: 'obj'; entries: [string, Json][] } | { kind: 'other' };

const MAX_DEPTH = 64;

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}
  ws(): void {
    while (this.pos < this.s.length && /[\s]/.test(this.s[this.pos])) this.pos++;
  }
  value(depth: number, keep: boolean): Json {
    if (depth > MAX_DEPTH) throw new Error('too deep');
    this.ws();
    const c = this.s[this.pos];
    if (c === '"') return { kind: 'str', tok: this.string(keep) };
    if (c === '[') {
      this.pos++;
      const items: Json[] = [];
      this.ws();
      if (this.s[this.pos] === ']') { this.pos++; return { kind: 'arr', items }; }
      for (;;) {
        items.push(this.value(depth + 1, keep));
        this.ws();
        const d = this.s[this.pos++];
        if (d === ']') return { kind: 'arr', items };
        if (d !== ',') throw new Error('bad array');
      }
    }
    if (c === '{') {
      this.pos++;
      const entries: [string, Json][] = [];
      this.ws();
      if (this.s[this.pos] === '}') { this.pos++; return { kind: 'obj', entries }; }
      for (;;) {
        this.ws();
        if (this.s[this.pos] !== '"') throw new Error('bad key');
        const key = this.string(false).value;
        this.ws();
        if (this.s[this.pos++] !== ':') throw new Error('bad object');
        // Only strings under the keys that can hold visible text are decoded with offsets.
        entries.push([key, this.value(depth + 1, keep || key === 'source' || key === 'text' || key === 'text/plain')]);
        this.ws();
        const d = this.s[this.pos++];
        if (d === '}') return { kind: 'obj', entries };
        if (d !== ',') throw new Error('bad object');
      }
    }
    const m = /^(?:-?\d[\d.eE+-]*|true|false|null)/.exec(this.s.slice(this.pos, this.pos + 40));
    if (!m) throw new Error('bad value');
    this.pos += m[0].length;
    return { kind: 'other' };
  }
  string(keep: boolean): StringTok {
    const s = this.s;
    this.pos++;
    let value = '';
    const offsets: number[] = [];
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= s.length) throw new Error('unterminated string');
      const c = s[this.pos];
      if (c === '"') {
        if (keep) { for (let k = runStart; k < this.pos; k++) offsets.push(k); }
        value += s.slice(runStart, this.pos);
        this.pos++;
        return { value: keep ? value : '', offsets };
      }
      if (c === '\\') {
        if (keep) { for (let k = runStart; k < this.pos; k++) offsets.push(k); }
        value += s.slice(runStart, this.pos);
        const at = this.pos;
        const e = s[this.pos + 1];
        let ch: string;
        if (e === 'u') {
          ch = String.fromCharCode(parseInt(s.slice(this.pos + 2, this.pos + 6), 16) || 0);
          this.pos += 6;
        } else {
          ch = ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e ?? '';
          this.pos += 2;
        }
        value += ch;
        if (keep) offsets.push(at);
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }
}

function get(o: Json | undefined, key: string): Json | undefined {
  return o?.kind === 'obj' ? o.entries.find(([k]) => k === key)?.[1] : undefined;
}

function joined(node: Json | undefined): NotebookText | undefined {
  if (!node) return undefined;
  const parts: StringTok[] = [];
  if (node.kind === 'str') parts.push(node.tok);
  else if (node.kind === 'arr') for (const i of node.items) if (i.kind === 'str') parts.push(i.tok);
  if (parts.length === 0) return undefined;
  const text = parts.map((p) => p.value).join('');
  const offsets = new Int32Array(text.length);
  let k = 0;
  for (const p of parts) for (const o of p.offsets) offsets[k++] = o;
  return { text, offsets };
}

/** Cell sources and text outputs of a notebook, or undefined when the file is not notebook JSON. */
export function notebookTexts(fileText: string): NotebookText[] | undefined {
  let root: Json;
  try {
    root = new Reader(fileText).value(0, false);
  } catch {
    return undefined;
  }
  const cells = get(root, 'cells');
  if (!cells || cells.kind !== 'arr') return undefined;
  const out: NotebookText[] = [];
  for (const cell of cells.items) {
    const src = joined(get(cell, 'source'));
    if (src) out.push(src);
    const outputs = get(cell, 'outputs');
    if (outputs?.kind !== 'arr') continue;
    for (const o of outputs.items) {
      const t = joined(get(o, 'text'));
      if (t) out.push(t);
      const plain = joined(get(get(o, 'data'), 'text/plain'));
      if (plain) out.push(plain);
    }
  }
  return out;
}
