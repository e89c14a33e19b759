import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../src/workflows/parse.js';
import type { Scalar, WorkflowFile } from '../../src/workflows/model.js';
import { continuationAt, pipelines, shellLineOf, shellScript, stripComment, words } from '../../src/workflows/shell.js';

function load(yaml: string): { w: WorkflowFile; run: Scalar } {
  const r = parseWorkflow('.github/workflows/t.yml', yaml, 'workflow');
  if (!r.ok) throw new Error('parse failed');
  const run = r.workflow.jobs[0].steps[0].run;
  if (!run) throw new Error('no run');
  return { w: r.workflow, run };
}

const wf = (run: string): string => `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`;

describe('shellScript', () => {
  it('joins continuations, drops comment and blank lines, and positions every line exactly', () => {
    const { w, run } = load(wf('|\n          # setup\n          pip install \\\n            torch   # pinned below\n\n          curl -s https://x.io/i.sh | bash'));
    const lines = shellScript(w, run);
    expect(lines.map((l) => l.text)).toEqual(['pip install  torch   # pinned below', 'curl -s https://x.io/i.sh | bash']);
    expect(lines[0].code).toBe('pip install  torch   ');
    expect([lines[0].line, lines[0].column]).toEqual([8, 11]);
    expect([lines[1].line, lines[1].column]).toEqual([11, 11]);
    // `torch` sits on the second physical line: its index maps back to that line's offset.
    const at = lines[0].text.indexOf('torch');
    expect(w.text.slice(lines[0].offsetAt(at), lines[0].offsetAt(at) + 5)).toBe('torch');
    const pipe = lines[1].text.indexOf('|');
    expect(w.text[lines[1].offsetAt(pipe)]).toBe('|');
    expect(lines.every((l) => l.exact)).toBe(true);
    expect(lines[0].segments[0].length).toBe('pip install \\'.length);
  });

  it('memoises per scalar node', () => {
    const { w, run } = load(wf('|\n          make test'));
    expect(shellScript(w, run)).toBe(shellScript(w, run));
    expect(shellScript(w, undefined)).toEqual([]);
  });

  it('joins PowerShell backtick and cmd caret continuations but not a closing backtick substitution', () => {
    const { w, run } = load(wf('|\n          Invoke-WebRequest `\n            -Uri x\n          build.cmd ^\n            --fast\n          V=`git rev-parse HEAD`\n          echo $V'));
    expect(shellScript(w, run).map((l) => l.text)).toEqual(['Invoke-WebRequest  -Uri x', 'build.cmd  --fast', 'V=`git rev-parse HEAD`', 'echo $V']);
  });

  it('does not continue a comment line ending in a backslash', () => {
    const { w, run } = load(wf('|\n          # note \\\n          make all'));
    expect(shellScript(w, run).map((l) => l.text)).toEqual(['make all']);
  });

  it('reads plain and quoted one-line scalars, positioned inside the quotes', () => {
    const plain = load(wf('npm ci && npm test'));
    const [p] = shellScript(plain.w, plain.run);
    expect([p.text, p.line, p.column]).toEqual(['npm ci && npm test', 6, 14]);
    const quoted = load(wf('"twine upload dist/*"'));
    const [q] = shellScript(quoted.w, quoted.run);
    expect([q.text, q.line, q.column, q.exact]).toEqual(['twine upload dist/*', 6, 15, true]);
  });

  it('splits lines into pipelines and simple commands with words, quote-aware', () => {
    const { w, run } = load(wf(`|\n          (cd pkg && twine upload -p "$T" dist/*) ; echo "a && b" | tee 'x y' # c && d`));
    const [line] = shellScript(w, run);
    expect(line.pipelines.map((p) => p.map((c) => c.text))).toEqual([['(cd pkg && twine upload -p "$T" dist/*)'], ['echo "a && b"', "tee 'x y'"]]);
    expect(line.commands.map((c) => c.words)).toEqual([['cd', 'pkg'], ['twine', 'upload', '-p', '$T', 'dist/*'], ['echo', 'a && b'], ['tee', 'x y']]);
    const twine = line.commands[1];
    expect(line.text.slice(twine.start, twine.start + 5)).toBe('twine');
  });
});

describe('string helpers', () => {
  it('strips only unquoted comments after a blank', () => {
    expect(stripComment('echo "a # b" # c')).toBe('echo "a # b" ');
    expect(stripComment('echo a#b')).toBe('echo a#b');
    expect(stripComment("echo 'x' \\# y")).toBe("echo 'x' \\# y");
  });

  it('keeps substitutions whole in pipelines and words', () => {
    expect(pipelines('bash <(curl -s u | tee x) && y').map((p) => p.map((c) => c.text))).toEqual([['bash <(curl -s u | tee x)'], ['y']]);
    expect(pipelines('cmd 2>&1 | tee log')[0].map((c) => [c.text, c.pipeAt])).toEqual([['cmd 2>&1', undefined], ['tee log', 9]]);
    expect(words('docker push "$IMG:$(date +%s)" --x=\'a b\'')).toEqual(['docker', 'push', '$IMG:$(date +%s)', '--x=a b']);
    expect(words('t=$(cat f | head -1) `x y`')).toEqual(['t=$(cat f | head -1)', '`x y`']);
  });

  it('finds continuation characters', () => {
    expect(continuationAt('a \\  ')).toBe(2);
    expect(continuationAt('a ^')).toBe(2);
    expect(continuationAt('a `')).toBe(2);
    expect(continuationAt('a `b`')).toBe(-1);
    expect(continuationAt('a')).toBe(-1);
  });

  it('builds a positionless line for Dockerfile RUN arguments', () => {
    const l = shellLineOf('curl x | sh');
    expect([l.offsetAt(7), l.exact, l.pipelines[0].length]).toEqual([7, false, 2]);
  });
});
