import { describe, expect, it } from 'vitest';
import { remoteScriptExec } from '../../src/checks/hygiene/remote-script-exec.js';
import { remoteExecs, immutableUrl } from '../../src/checks/hygiene/lib-shell-fetch.js';
import { describeFixtures, runFixture } from '../helpers/fixtures.js';
import path from 'node:path';
import { FIXTURES_ROOT } from '../helpers/fixtures.js';

describeFixtures(remoteScriptExec);

describe('remote-script-exec detection', () => {
  it('recognises each execution form', () => {
    const forms = (s: string): string[] => remoteExecs(s).map((e) => e.form);
    expect(forms('curl -fsSL https://x.io/i.sh | sudo bash')).toEqual(['pipe']);
    expect(forms('wget -O - https://x.io/i.sh | sh')).toEqual(['pipe']);
    expect(forms('python <(curl -s https://x.io/i.py)')).toEqual(['process-substitution']);
    expect(forms('source <(curl -s https://x.io/env)')).toEqual(['process-substitution']);
    expect(forms('bash -c "$(wget -qO- https://x.io/i.sh)"')).toEqual(['command-substitution']);
    expect(forms('irm https://x.io/i.ps1 | iex')).toEqual(['powershell']);
    expect(forms('Invoke-Expression (Invoke-WebRequest -UseBasicParsing https://x.io/i.ps1).Content')).toEqual(['powershell']);
  });

  it('ignores downloads that are not executed', () => {
    expect(remoteExecs('curl -s https://x.io/a.json | jq -r .tag')).toEqual([]);
    expect(remoteExecs('curl -s https://x.io/a.json | python3 -c "import sys"')).toEqual([]);
    expect(remoteExecs('curl -s "https://x.io/a|b" -o out.txt')).toEqual([]);
    expect(remoteExecs('echo hi | bash')).toEqual([]);
  });

  it('treats commit-pinned and versioned installer URLs as immutable, others not', () => {
    expect(immutableUrl('https://raw.githubusercontent.com/o/r/0123456789abcdef0123456789abcdef01234567/i.sh')).toBe(true);
    expect(immutableUrl('https://astral.sh/uv/0.4.30/install.sh')).toBe(true);
    expect(immutableUrl('https://astral.sh/uv/install.sh')).toBe(false);
    expect(immutableUrl('https://raw.githubusercontent.com/o/r/main/i.sh')).toBe(false);
  });

  it('points at the pipe line inside a multi-line run block', async () => {
    const c = await runFixture(remoteScriptExec, path.join(FIXTURES_ROOT, 'remote-script-exec', 'pipe-to-shell.yml'));
    const lines = c.findings.map((f) => f.region?.line);
    expect(lines).toContain(18);
    expect(lines).not.toContain(17);
    for (const f of c.findings) expect(f.fixable).toBe(false);
  });
});
