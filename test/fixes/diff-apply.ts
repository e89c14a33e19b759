/** Test helper: applies a unified diff (hunks only, as zizmor's expected.diff files are) to a text. */
export function applyUnifiedDiff(input: string, diff: string): string {
  const eol = input.includes('\r\n') ? '\r\n' : '\n';
  const lines = input.split(/\r?\n/);
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const out: string[] = [];
  let pos = 0; // next input line index (0-based)
  const dl = diff.split('\n');
  for (let i = 0; i < dl.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(dl[i]);
    if (!m) continue;
    const oldStart = Number(m[1]) - (m[2] === '0' ? 0 : 1);
    while (pos < oldStart) out.push(lines[pos++]);
    for (i = i + 1; i < dl.length && !dl[i].startsWith('@@'); i++) {
      const l = dl[i].replace(/\r$/, '');
      if (l.startsWith('\\')) continue;
      const kind = l[0];
      const body = l.slice(1);
      if (kind === ' ' || kind === '-') {
        if (lines[pos] !== body) throw new Error(`diff does not apply at input line ${pos + 1}: expected ${JSON.stringify(body)}, found ${JSON.stringify(lines[pos])}`);
        pos++;
        if (kind === ' ') out.push(body);
      } else if (kind === '+') out.push(body);
      else if (l === '' && i === dl.length - 1) break;
    }
    i--;
  }
  while (pos < lines.length) out.push(lines[pos++]);
  return out.join(eol) + (trailing ? eol : '');
}

/** Lines removed and added between two texts (sorted, prefixed with - and +): "the edited lines". */
export function editedLines(before: string, after: string): string[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const count = (xs: string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  const out: string[] = [];
  for (const [l, n] of ca) for (let i = 0; i < n - (cb.get(l) ?? 0); i++) out.push(`-${l}`);
  for (const [l, n] of cb) for (let i = 0; i < n - (ca.get(l) ?? 0); i++) out.push(`+${l}`);
  return out.sort();
}
