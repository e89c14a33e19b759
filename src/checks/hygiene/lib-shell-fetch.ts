/**
 * Shell analysis shared by remote-script-exec and dependency-confusion: what a script downloads
 * and runs, and whether it verifies a checksum first.
 */
import { shellLineOf, ShellLine } from '../../workflows/shell.js';

export interface RemoteExec {
  /** Index in the logical line to report (the pipe, `<(`, `$(`, `iex`, or the run of the file). */
  at: number;
  form: 'pipe' | 'process-substitution' | 'command-substitution' | 'powershell' | 'download-then-run';
  /** The interpreter or command that runs the download. */
  runner: string;
  url?: string;
}

const FETCH = /^(?:[A-Za-z_]\w*=\S*\s+)*(?:sudo\s+(?:-\S+\s+)*)?(curl|wget)\b/;
const INTERP = /^(?:sudo\s+(?:-[A-Za-z]+\s+|-u\s+\S+\s+)*)?(?:env\s+(?:-\S+\s+)*(?:[A-Za-z_]\w*=\S*\s+)*)?(?:[\w./-]*\/)?((?:ba|z|da|k|fi|a)?sh|python[\d.]*|perl|ruby|node|pwsh|powershell)\b(.*)$/;

/** True when `interp args` runs what arrives on stdin (not `python -c …`, `bash -c …`, `python -m json.tool`). */
function runsStdin(interp: string, args: string): boolean {
  const a = args.trim();
  if (/(^|\s)-(c|m|e|Command)\b/.test(a) && !/(^|\s)-s\b/.test(a)) return false;
  if (/sh$/.test(interp)) return a === '' || a.startsWith('-');
  if (/^(pwsh|powershell)$/.test(interp)) return a === '' || a === '-';
  return a === '' || a === '-' || a.startsWith('- ') || /^-\w*\s+-(\s|$)/.test(a);
}

function urlIn(s: string): string | undefined {
  return /https?:\/\/[^\s"'`)|;<>]+/.exec(s)?.[0];
}

const INSTALLER_HOSTS = /^(astral\.sh|sh\.rustup\.rs|static\.rust-lang\.org|install\.python-poetry\.org|get\.pnpm\.io|bun\.sh|deno\.land|pixi\.sh|micro\.mamba\.pm|github\.com|raw\.githubusercontent\.com|gist\.githubusercontent\.com)$/i;

/**
 * A URL whose content cannot change: pinned to a commit SHA on GitHub, or a known installer whose
 * path names an exact version (catalogue W19 allow-list: URL + pinned version).
 */
export function immutableUrl(url: string | undefined): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (/^(raw\.githubusercontent\.com|gist\.githubusercontent\.com|github\.com)$/i.test(u.hostname) && /\/[0-9a-f]{40}\//.test(u.pathname)) return true;
  return INSTALLER_HOSTS.test(u.hostname) && !/^(github\.com|raw\.githubusercontent\.com|gist\.githubusercontent\.com)$/i.test(u.hostname) && /\/v?\d+\.\d+\.\d+[\w.-]*\//.test(u.pathname);
}

/** Checksum or signature verification somewhere in the script. */
const VERIFY = /\b(?:sha(?:1|224|256|384|512)sum|shasum|md5sum|b2sum)\b[^\n]*(?:\s-\w*c\b|--check\b)|\bgpg2?\s+(?:--\S+\s+)*--verify\b|\bcosign\s+verify-blob\b|\bminisign\s+-V\b|\bGet-FileHash\b|\bslsa-verifier\b|\bgh\s+attestation\s+verify\b|\bopenssl\s+dgst\b[^\n]*-verify\b/;

const SUBST_INTERP = String.raw`(?:(?:ba|z|da|k)?sh|source|python[\d.]*|perl|ruby|node)`;
const PROC_SUBST = new RegExp(String.raw`(?:^|[\s;&|(])(${SUBST_INTERP}|\.)\s+(?:-\S+\s+)*(<\(\s*(?:sudo\s+)?(?:curl|wget)\b)`);
const CMD_SUBST = new RegExp(String.raw`(?:^|[\s;&|(])(${SUBST_INTERP}(?=\s)(?:\s+-\S+)*?\s+-c|eval)\s+["']?(\$\(\s*(?:curl|wget)\b|\x60\s*(?:curl|wget)\b)`);

/** Remote code execution forms in one logical line (a plain string is read as one line). */
export function remoteExecs(logical: ShellLine | string): RemoteExec[] {
  const out: RemoteExec[] = [];
  const shellLine = logical instanceof ShellLine ? logical : shellLineOf(logical);
  const line = shellLine.code;
  for (const pipeline of shellLine.pipelines) {
    let fetchUrl: string | undefined;
    let fetched = false;
    for (const cmd of pipeline) {
      const f = FETCH.exec(cmd.text);
      if (f && !fetched) {
        // `wget -O file url | …` writes to a file, not to the pipe.
        if (f[1] === 'wget' && /(?:^|\s)(?:-O\s*|--output-document[= ])(?!-(?:\s|$))\S/.test(cmd.text) && !/-qO-|-O-(\s|$)/.test(cmd.text)) continue;
        if (f[1] === 'curl' && /(?:^|\s)(?:-\w*o\s*\S|--output[= ]\S|-\w*O\b|--remote-name)/.test(cmd.text)) continue;
        fetched = true;
        fetchUrl = urlIn(cmd.text);
        continue;
      }
      if (!fetched || cmd.pipeAt === undefined) continue;
      const m = INTERP.exec(cmd.text);
      if (m && runsStdin(m[1], m[2])) {
        out.push({ at: cmd.pipeAt, form: 'pipe', runner: m[1], url: fetchUrl });
        break;
      }
      if (/^(iex|Invoke-Expression)\b/i.test(cmd.text)) {
        out.push({ at: cmd.pipeAt, form: 'powershell', runner: 'Invoke-Expression', url: fetchUrl });
        break;
      }
    }
    for (const cmd of pipeline) {
      const p = PROC_SUBST.exec(cmd.text);
      if (p) out.push({ at: cmd.start + p.index + p[0].length - p[2].length, form: 'process-substitution', runner: p[1], url: urlIn(cmd.text) });
      const c = CMD_SUBST.exec(cmd.text);
      if (c) out.push({ at: cmd.start + c.index + c[0].length - c[2].length, form: 'command-substitution', runner: c[1].split(/\s/)[0], url: urlIn(cmd.text) });
    }
  }
  // PowerShell: `iex (irm url)`, `Invoke-Expression (New-Object Net.WebClient).DownloadString(url)`, `irm url | iex`.
  const iex = /(?:^|[\s;(&|])(iex|Invoke-Expression)\b/i.exec(line);
  if (iex && /\b(irm|iwr|Invoke-RestMethod|Invoke-WebRequest|DownloadString|DownloadFile)\b/i.test(line) && !out.some((o) => o.form === 'powershell')) {
    out.push({ at: iex.index + iex[0].length - iex[1].length, form: 'powershell', runner: iex[1], url: urlIn(line) });
  }
  return out;
}

function unquote(s: string): string {
  return s.replace(/^["']|["']$/g, '');
}

function baseName(s: string): string {
  const u = unquote(s).replace(/[?#].*$/, '');
  return u.split('/').filter(Boolean).pop() ?? u;
}

/** Files a command downloads (curl -o/-O/>, wget -O/default name), by base name. */
function downloads(cmd: string): { name: string; url?: string }[] {
  const f = FETCH.exec(cmd);
  if (!f) return [];
  const url = urlIn(cmd);
  const out: { name: string; url?: string }[] = [];
  if (f[1] === 'curl') {
    const o = /(?:^|\s)(?:-\w*o\s*|--output[= ])(\S+)/.exec(cmd);
    if (o) out.push({ name: baseName(o[1]), url });
    else if (/(?:^|\s)(?:-\w*O\b|--remote-name\b)/.test(cmd) && url) out.push({ name: baseName(url), url });
    const r = /(?:^|\s)>\s*(\S+)/.exec(cmd);
    if (r) out.push({ name: baseName(r[1]), url });
  } else {
    const o = /(?:^|\s)(?:-\w*O\s*|--output-document[= ])(\S+)/.exec(cmd);
    if (o && o[1] !== '-') out.push({ name: baseName(o[1]), url });
    else if (!o && url) out.push({ name: baseName(url), url });
  }
  return out.filter((d) => d.name !== '' && d.name !== '-' && d.name !== '/dev/null');
}

/**
 * `curl -o x url; bash x` / `wget url && chmod +x x && ./x`: a file downloaded and run later in the
 * same script, with no checksum or signature check anywhere in the script.
 */
export function downloadThenRun(lines: readonly ShellLine[], got = new Map<string, string | undefined>()): { line: ShellLine; exec: RemoteExec }[] {
  if (lines.some((l) => VERIFY.test(l.text))) {
    got.clear();
    return [];
  }
  const out: { line: ShellLine; exec: RemoteExec }[] = [];
  for (const line of lines) {
    for (const pipeline of line.pipelines) {
      for (const cmd of pipeline) {
        for (const d of downloads(cmd.text)) got.set(d.name, d.url);
        if (got.size === 0 || FETCH.test(cmd.text)) continue;
        const m = /^(?:sudo\s+(?:-\S+\s+)*)?(?:((?:ba|z|da|k)?sh|source|\.|python[\d.]*|perl|ruby|node|pwsh)\s+(?:-\S+\s+)*(\S+)|((?:\.{0,2}|~|\$\{?\w+\}?)?\/\S+))/.exec(cmd.text);
        if (!m) continue;
        const target = m[2] ?? m[3];
        if (!target) continue;
        const name = baseName(target);
        if (!got.has(name)) continue;
        out.push({ line, exec: { at: cmd.start, form: 'download-then-run', runner: m[1] ?? name, url: got.get(name) } });
      }
    }
  }
  return out;
}
