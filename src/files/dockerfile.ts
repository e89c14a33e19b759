/** A small Dockerfile reader: instructions with their line, continuation lines joined. */

export interface DockerInstruction {
  /** Upper-cased instruction keyword (FROM, RUN, ENV…). */
  keyword: string;
  /** Arguments with continuations joined by a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  /** 1-based column where the arguments start. */
  argsColumn: number;
}

export function parseDockerfile(text: string): DockerInstruction[] {
  const lines = text.split(/\r?\n/);
  const out: DockerInstruction[] = [];
  let escape = '\\';
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    const directive = /^#\s*escape\s*=\s*(\S)/i.exec(first);
    if (directive && out.length === 0) escape = directive[1];
    const trimmed = first.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^(\s*)([A-Za-z]+)(\s+|$)/.exec(first);
    if (!m) continue;
    const startLine = i + 1;
    const argsColumn = m[0].length + 1;
    let args = first.slice(m[0].length);
    while (args.trimEnd().endsWith(escape) && i + 1 < lines.length) {
      args = args.trimEnd().slice(0, -1);
      i++;
      const next = lines[i];
      if (next.trimStart().startsWith('#')) continue;
      args += ' ' + next.trim();
    }
    out.push({ keyword: m[2].toUpperCase(), args: args.trim(), line: startLine, argsColumn });
  }
  return out;
}
