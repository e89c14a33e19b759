/**
 * Text helpers of the hygiene family (shell scripts are read by `src/workflows/shell.ts`): entropy and
 * placeholder tests, job/step lookup by offset, and a redaction helper for URLs.
 */
import type { Job, Step, WorkflowFile } from '../../workflows/model.js';
import { stepLabel } from '../locs.js';

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER =
  /x{4,}|\*{3,}|\.{3}|…|[<>]|your|example|sample|placeholder|dummy|fake|redacted|changeme|change_me|replace|insert|secret_here|token_here|foobar|0{6,}|(.)\1{5,}|abcdef|bcdefg|cdefgh|123456|234567|345678|456789|qwerty/i;

/** True when a candidate secret is obviously a documentation placeholder or test value. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** Paths of test fixtures: findings there are downgraded, not dropped (catalogue S1). */
export function isTestPath(path: string): boolean {
  return /(^|\/)(tests?|testing|testdata|fixtures?|__tests__)\//i.test(path) || /(^|\/)(test_[^/]*|[^/]*_test\.py|conftest\.py)$/i.test(path);
}

/** Env templates (`.env.example`, `example.env`): values there are meant to be replaced. */
export function isTemplatePath(path: string): boolean {
  const base = (path.split('/').pop() ?? '').toLowerCase();
  return /(example|sample|template|dist|tmpl|defaults?)/.test(base);
}

/** The job and step whose source range holds a file offset. */
export function locate(w: WorkflowFile, offset: number): { job?: Job; step?: Step } {
  for (const job of w.jobs) {
    if (offset < job.loc.offset || offset >= job.loc.endOffset) continue;
    const step = job.steps.find((s) => offset >= s.loc.offset && offset < s.loc.endOffset);
    return { job, step };
  }
  return {};
}

/** `job "x", step 2 (name)` for messages. */
export function whereLabel(job: Job | undefined, step: Step | undefined): string {
  if (!job) return '';
  const j = job.id === '(composite)' ? 'the composite action' : `job "${job.id}"`;
  return step ? `${j}, ${stepLabel(step)}` : j;
}

/** A URL with any `user:password@` part replaced, so credentials never reach a report. */
export function redactUrl(url: string): string {
  const clipped = url.length > 80 ? `${url.slice(0, 77)}...` : url;
  return clipped.replace(/^([a-z][\w+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}
