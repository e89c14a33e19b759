/**
 * W19 remote-script-exec: a script fetched over the network and run straight away (`curl … | sh`,
 * `bash <(curl …)`, `iex (irm …)`, download-then-run) with no checksum, in workflow `run:` steps,
 * composite actions and Dockerfile RUN; plus Dockerfile `ADD <url>` without `--checksum`.
 */
import type { Check, CheckInput } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import type { WorkflowFile } from '../../workflows/model.js';
import { mapperFor } from '../../workflows/expressions.js';
import { privilege, stepPublishes } from '../../workflows/context.js';
import { pointRegion } from '../locs.js';
import { stepLabel } from '../locs.js';
import { pipelines, shellLineOf, shellScript } from '../../workflows/shell.js';
import { redactUrl, whereLabel } from './lib-text.js';
import { downloadThenRun, immutableUrl, remoteExecs, type RemoteExec } from './lib-shell-fetch.js';

function describe(e: RemoteExec): string {
  const src = e.url ? `"${redactUrl(e.url)}"` : 'A remote script';
  switch (e.form) {
    case 'pipe':
      return `${src} is downloaded and piped straight into ${e.runner}`;
    case 'process-substitution':
      return `${src} is downloaded and run through process substitution (${e.runner} <(…))`;
    case 'command-substitution':
      return `${src} is downloaded and run through command substitution (${e.runner} "$(…)")`;
    case 'powershell':
      return `${src} is downloaded and run with Invoke-Expression`;
    case 'download-then-run':
      return `${src} is downloaded and then run (${e.runner})`;
  }
}

function scanWorkflow(input: CheckInput, w: WorkflowFile, out: FindingDraft[]): void {
  const mapper = mapperFor(w);
  for (const job of w.jobs) {
    const privileged = w.kind === 'workflow' && privilege(w, job, input.options.hostedRunnerLabels).privileged;
    // Files downloaded by earlier steps of the job: steps share the workspace and the runner's disk.
    const downloaded = new Map<string, string | undefined>();
    for (const step of job.steps) {
      if (!step.run) continue;
      const lines = shellScript(w, step.run);
      const found: { offset: number; exec: RemoteExec }[] = [];
      for (const line of lines) {
        for (const e of remoteExecs(line)) found.push({ offset: line.offsetAt(e.at), exec: e });
      }
      for (const { line, exec } of downloadThenRun(lines, downloaded)) found.push({ offset: line.offsetAt(exec.at), exec });
      for (const { offset, exec } of found) {
        if (immutableUrl(exec.url)) continue;
        const severity: Severity = privileged || stepPublishes(step) ? 'high' : 'medium';
        const pos = mapper.pos(offset);
        out.push({
          severity,
          message: `${describe(exec)} without a checksum or signature check in ${whereLabel(job, step)}.`,
          path: w.path,
          region: pointRegion(pos.line, pos.column, 1),
          job: job.id === '(composite)' ? undefined : job.id,
          step: stepLabel(step),
          fixable: false,
          data: { form: exec.form, ...(exec.url ? { url: redactUrl(exec.url) } : {}) },
        });
      }
    }
  }
}

/** Dockerfiles count as deploy images when a workflow of the repository pushes an image. */
function repoPushesImages(input: CheckInput): boolean {
  return input.workflows.some((w) =>
    w.jobs.some((j) =>
      j.steps.some(
        (s) =>
          (s.uses?.value.startsWith('docker/build-push-action') && s.with.some((kv) => kv.key === 'push' && kv.value === 'true')) ||
          (!!s.run && /\b(docker|podman)\s+(push|buildx\s+build[^\n]*--push)\b/.test(s.run.value)),
      ),
    ),
  );
}

function scanDockerfiles(input: CheckInput, out: FindingDraft[]): void {
  const deploy = repoPushesImages(input);
  const severity: Severity = deploy ? 'high' : 'medium';
  for (const d of input.dockerfiles) {
    for (const ins of d.instructions) {
      if (ins.keyword === 'RUN') {
        const line = shellLineOf(ins.args);
        const execs = [...remoteExecs(line), ...downloadThenRun([line]).map((x) => x.exec)];
        for (const e of execs) {
          if (immutableUrl(e.url)) continue;
          out.push({
            severity,
            message: `${describe(e)} without a checksum or signature check in a Dockerfile RUN instruction.`,
            path: d.path,
            region: pointRegion(ins.line, 1, 3),
            fixable: false,
            data: { form: e.form, ...(e.url ? { url: redactUrl(e.url) } : {}) },
          });
        }
      } else if (ins.keyword === 'ADD') {
        const words = ins.args.split(/\s+/);
        if (words.some((x) => /^--checksum=/.test(x))) continue;
        const url = words.find((x) => /^https?:\/\//.test(x));
        if (!url || immutableUrl(url)) continue;
        // ADD of an archive or file only downloads; it is executable content only if a later RUN runs it.
        const name = url.replace(/[?#].*$/, '').split('/').pop() ?? '';
        const ranLater = name !== '' && d.instructions.some((o) => o.keyword === 'RUN' && o.line > ins.line && pipelines(o.args).some((p) => p.some((c) => c.text.includes(name))));
        out.push({
          severity: ranLater ? severity : 'low',
          message: `ADD downloads "${redactUrl(url)}" without --checksum, so the image gets whatever the server returns that day.`,
          path: d.path,
          region: pointRegion(ins.line, 1, 3),
          fixable: false,
          data: { form: 'add-url', url: redactUrl(url) },
        });
      }
    }
  }
}

export const remoteScriptExec: Check = {
  meta: {
    id: 'remote-script-exec',
    title: 'Remote script downloaded and run without a checksum',
    defaultSeverity: 'high',
    severityNote:
      'High in privileged jobs (secrets, write token, OIDC, environment, self-hosted, publishing) and in Dockerfiles when a workflow pushes images; medium otherwise; Dockerfile ADD of a URL that is not run afterwards is low.',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-3', 'CICD-SEC-9'], ssdf: ['PW.4.4'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        '`curl … | sh` runs whatever the server returns at that moment, with every secret and token of the job in reach. ' +
        'Whoever controls the host, the DNS or the CDN controls your pipeline: in 2021 an attacker edited the Codecov bash uploader ' +
        'and every job running `bash <(curl -s https://codecov.io/bash)` sent its environment variables out for two months; it was ' +
        'found only because one customer compared checksums.',
      howToFix:
        'Download to a file, verify it against a checksum committed in the repository (`echo "<sha256>  install.sh" | sha256sum -c -`) ' +
        'or a signature (`gpg --verify`, `cosign verify-blob`), then run it. Better, use a pinned action or package instead of an ' +
        'installer script, or a URL pinned to a release version or commit SHA. In Dockerfiles use `ADD --checksum=sha256:…`.',
      references: [
        'https://about.codecov.io/security-update/',
        'https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies',
        'https://docs.docker.com/reference/dockerfile/#add---checksum',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of [...input.workflows, ...input.actions]) scanWorkflow(input, w, out);
    scanDockerfiles(input, out);
    return out;
  },
};

