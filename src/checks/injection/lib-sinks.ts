/**
 * Where an expanded `${{ }}` becomes code: `run:` scripts, and `with:` inputs of actions that
 * evaluate their input as a script. Also finds writes of non-literal data into the runner's
 * `$GITHUB_ENV` / `$GITHUB_PATH` / `$GITHUB_OUTPUT` files (scanning inside a `run:` scalar's own text).
 */
import { actionName } from '../../workflows/uses.js';
import type { KeyValue, Step } from '../../workflows/model.js';

/** Action inputs that are evaluated as code (shell, JavaScript, Python, PowerShell, lodash templates). */
const CODE_INPUTS: Record<string, { inputs: string[]; language: string; fixable: boolean }> = {
  'actions/github-script': { inputs: ['script'], language: 'JavaScript', fixable: true },
  'mikefarah/yq': { inputs: ['cmd'], language: 'shell', fixable: false },
  'amadevus/pwsh-script': { inputs: ['script'], language: 'PowerShell', fixable: false },
  'azure/cli': { inputs: ['inlinescript'], language: 'shell', fixable: false },
  'azure/powershell': { inputs: ['inlinescript'], language: 'PowerShell', fixable: false },
  'jannekem/run-python-script-action': { inputs: ['script'], language: 'Python', fixable: false },
  'addnab/docker-run-action': { inputs: ['run'], language: 'shell', fixable: false },
  'appleboy/ssh-action': { inputs: ['script'], language: 'shell', fixable: false },
  'nick-fields/retry': { inputs: ['command'], language: 'shell', fixable: false },
  'nick-invision/retry': { inputs: ['command'], language: 'shell', fixable: false },
  'wandalen/wretry.action': { inputs: ['command'], language: 'shell', fixable: false },
  'tibdex/backport': { inputs: ['title_template', 'body_template'], language: 'lodash template', fixable: false },
  'cardinalby/js-eval-action': { inputs: ['expression'], language: 'JavaScript', fixable: false },
};

export interface CodeInput {
  input: KeyValue;
  language: string;
  fixable: boolean;
}

/** The `with:` entries of a step that its action runs as code. */
export function codeInputsOf(step: Step): CodeInput[] {
  if (!step.uses) return [];
  const name = actionName(step.uses.ref);
  if (!name) return [];
  const spec = CODE_INPUTS[name];
  if (!spec) return [];
  return step.with
    .filter((kv) => spec.inputs.includes(kv.key.toLowerCase()))
    .map((input) => ({ input, language: spec.language, fixable: spec.fixable }));
}

export type RunnerFile = 'GITHUB_ENV' | 'GITHUB_PATH' | 'GITHUB_OUTPUT';

export interface RunnerFileWrite {
  file: RunnerFile;
  /** The text written (the command before the redirect, or the heredoc / group body). */
  payload: string;
  /** 0-based line index of the redirect within the script. */
  lineIndex: number;
}

/** Variables the runner sets itself: writing them is not attacker-controlled. */
const RUNNER_VARS = new Set([
  'GITHUB_WORKSPACE', 'RUNNER_TEMP', 'RUNNER_TOOL_CACHE', 'HOME', 'PWD', 'GITHUB_ACTION_PATH', 'RUNNER_OS', 'RUNNER_ARCH',
  'GITHUB_SHA', 'GITHUB_RUN_ID', 'GITHUB_RUN_NUMBER', 'GITHUB_RUN_ATTEMPT', 'PATH', 'GITHUB_REPOSITORY', 'GITHUB_SERVER_URL',
  'GITHUB_API_URL', 'GITHUB_JOB', 'GITHUB_WORKFLOW', 'GITHUB_EVENT_NAME', 'USER', 'RUNNER_WORKSPACE', 'GITHUB_REPOSITORY_OWNER',
  'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'JAVA_HOME', 'pythonLocation', 'CONDA', 'VCPKG_INSTALLATION_ROOT',
  'ANDROID_HOME', 'ANDROID_SDK_ROOT', 'GOPATH', 'GOROOT', 'CARGO_HOME', 'RUSTUP_HOME',
]);

const TARGET = /(?:\$\{?(GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT)\}?|\$env:(GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT)|%(GITHUB_ENV|GITHUB_PATH|GITHUB_OUTPUT)%)/i;

/** Writes into the runner's environment, path or output files found in a script. */
export function runnerFileWrites(script: string): RunnerFileWrite[] {
  const lines = script.split('\n');
  const out: RunnerFileWrite[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*#/.test(line)) continue;
    const m = TARGET.exec(line);
    if (!m) continue;
    const before = line.slice(0, m.index);
    const redirect = /(>>?|\btee\b(?:\s+-a)?|Out-File\b.*|Add-Content\b.*|Set-Content\b.*|-FilePath)\s*["']?$/i.test(before.trimEnd());
    const pwshTarget = !!(m[2] || (/Out-File|Add-Content|Set-Content/i.test(line)));
    if (!redirect && !pwshTarget) continue;
    const file = (m[1] ?? m[2] ?? m[3]).toUpperCase() as RunnerFile;
    let payload = before;
    const heredoc = /<<-?\s*['"]?(\w+)['"]?/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (let j = i + 1; j < lines.length && lines[j].trim() !== heredoc[1]; j++) body.push(lines[j]);
      payload += `\n${body.join('\n')}`;
    } else if (/^\s*\}/.test(line) || /^\s*done\b/.test(line)) {
      // `{ …; } >> $GITHUB_ENV` or a loop: the block's body is the payload.
      const body: string[] = [];
      for (let j = i - 1; j >= 0 && body.length < 50; j--) {
        body.unshift(lines[j]);
        if (/^\s*\{\s*$|^\s*(for|while)\b/.test(lines[j])) break;
      }
      payload += `\n${body.join('\n')}`;
    }
    if (pwshTarget && !redirect) payload = line.replace(TARGET, '');
    out.push({ file, payload, lineIndex: i });
  }
  return out;
}

/** Shell / PowerShell / cmd variables a payload reads (excluding runner-set ones), and whether it runs a command. */
export function payloadVariables(payload: string): { vars: string[]; commandSubstitution: boolean } {
  const vars = new Set<string>();
  const re = /\$env:([A-Za-z_]\w*)|\$\{?([A-Za-z_]\w*)\}?|%([A-Za-z_]\w*)%/g;
  let m: RegExpExecArray | null;
  // Single-quoted shell strings do not expand.
  const text = payload.replace(/'[^'\n]*'/g, "''");
  while ((m = re.exec(text)) !== null) {
    const name = m[1] ?? m[2] ?? m[3];
    if (!RUNNER_VARS.has(name) && !/^[0-9]$/.test(name)) vars.add(name);
  }
  return { vars: [...vars], commandSubstitution: /\$\(|`/.test(text) };
}
