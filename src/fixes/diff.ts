/** A small unified-diff generator (line LCS after trimming the common head and tail). */

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

function diffOps(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  if (am.length * bm.length > 4_000_000) {
    // Too large for the table: replace the middle wholesale (still a correct diff).
    for (const line of am) ops.push({ kind: '-', line });
    for (const line of bm) ops.push({ kind: '+', line });
  } else {
    const n = am.length;
    const m = bm.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i++] });
        j++;
      } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ kind: '+', line: bm[j++] });
      else ops.push({ kind: '-', line: am[i++] });
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

/** `diff -u` style output for one file; empty when the texts are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffOps(splitLines(before), splitLines(after));
  const out: string[] = [`--- a/${path}`, `+++ b/${path}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i].kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2*context lines of each other.
    for (;;) {
      while (end < ops.length && ops[end].kind !== ' ') end++;
      let k = end;
      while (k < ops.length && ops[k].kind === ' ' && k - end < 2 * context) k++;
      if (k < ops.length && ops[k].kind !== ' ' && k - end <= 2 * context) end = k;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    let oldStart = 1;
    let newStart = 1;
    for (let k = 0; k < start; k++) {
      if (ops[k].kind !== '+') oldStart++;
      if (ops[k].kind !== '-') newStart++;
    }
    const hunk = ops.slice(start, stop);
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldLen === 0 ? oldStart - 1 : oldStart},${oldLen} +${newLen === 0 ? newStart - 1 : newStart},${newLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line.replace(/\r$/, '')}`);
    i = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}
