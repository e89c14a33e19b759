/**
 * Literal-credential detectors (catalogue S1 and §4.5). Every pattern starts with a literal
 * prefix or a word boundary and has bounded quantifiers, so scanning stays linear on large files.
 * Hits carry the value only so the caller can test it; it must never reach a finding.
 */
import { entropy, isPlaceholder } from './lib-text.js';

export interface SecretHit {
  /** Stable kind id (e.g. `huggingface-token`), safe to put in finding data. */
  kind: string;
  /** Human label of the kind. */
  label: string;
  /** Literal prefix that is safe to show (the family's fixed prefix, never random characters). */
  prefix: string;
  /** Offsets in the scanned string, end exclusive. */
  start: number;
  end: number;
  value: string;
  /** Suggested secret name for the fix. */
  secretName: string;
  /** `token`: a provider-specific format; `generic`: a literal assigned to a credential-like name. */
  confidence: 'token' | 'generic';
  /** Lower default severity for formats that are often public by design (Google API keys). */
  lowRisk?: boolean;
}

interface Family {
  kind: string;
  label: string;
  secretName: string;
  /** Case-sensitive literals one of which must occur for the pattern to be tried. */
  hints: string[];
  re: RegExp;
  /** Fixed prefix of the matched text that is safe to show. */
  prefix: (m: string) => string;
  /** The random part the entropy/placeholder tests look at. */
  body?: (m: string) => string;
  lowRisk?: boolean;
  accept?: (text: string, start: number, end: number) => boolean;
}

const fixed = (p: string) => () => p;
const upTo = (sep: string, n = 1) => (m: string): string => m.split(sep).slice(0, n).join(sep) + sep;

const FAMILIES: Family[] = [
  { kind: 'huggingface-token', label: 'Hugging Face token', secretName: 'HF_TOKEN', hints: ['hf_', 'api_org_'],
    re: /\b(?:hf_|api_org_)[A-Za-z0-9]{34,40}\b/g, prefix: (m) => (m.startsWith('hf_') ? 'hf_' : 'api_org_') },
  { kind: 'aws-access-key-id', label: 'AWS access key id', secretName: 'AWS_ACCESS_KEY_ID', hints: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    re: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b/g, prefix: (m) => m.slice(0, 4), body: (m) => m.slice(4) },
  { kind: 'openai-api-key', label: 'OpenAI API key', secretName: 'OPENAI_API_KEY', hints: ['sk-'],
    re: /\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}|[A-Za-z0-9]{32,64}\b)/g,
    prefix: (m) => (/^sk-(proj|svcacct|admin)-/.test(m) ? upTo('-', 2)(m) : 'sk-') },
  { kind: 'anthropic-api-key', label: 'Anthropic API key', secretName: 'ANTHROPIC_API_KEY', hints: ['sk-ant-'],
    re: /\bsk-ant-[a-z]{2,10}\d{0,3}-[A-Za-z0-9_-]{80,120}/g, prefix: fixed('sk-ant-') },
  { kind: 'github-token', label: 'GitHub token', secretName: 'GH_TOKEN', hints: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    re: /\b(?:gh[pousr]_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{82})\b/g, prefix: (m) => (m.startsWith('github_pat_') ? 'github_pat_' : m.slice(0, 4)) },
  { kind: 'pypi-token', label: 'PyPI API token', secretName: 'PYPI_API_TOKEN', hints: ['pypi-AgEIcHlwaS5vcmc'],
    re: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}/g, prefix: fixed('pypi-'), body: (m) => m.slice(19) },
  { kind: 'databricks-token', label: 'Databricks token', secretName: 'DATABRICKS_TOKEN', hints: ['dapi'],
    re: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g, prefix: fixed('dapi') },
  { kind: 'replicate-token', label: 'Replicate API token', secretName: 'REPLICATE_API_TOKEN', hints: ['r8_'],
    re: /\br8_[0-9A-Za-z_-]{37}(?![0-9A-Za-z_-])/g, prefix: fixed('r8_') },
  { kind: 'wandb-api-key', label: 'Weights & Biases API key', secretName: 'WANDB_API_KEY', hints: ['wandb_v1_'],
    re: /\bwandb_v1_[A-Za-z0-9]{27}_[A-Za-z0-9]{49}\b/g, prefix: fixed('wandb_v1_') },
  { kind: 'slack-token', label: 'Slack token', secretName: 'SLACK_TOKEN', hints: ['xox'],
    re: /\bxox[abposr]-[0-9]{6,16}-[0-9A-Za-z-]{8,120}/g, prefix: (m) => m.slice(0, 5) },
  { kind: 'slack-webhook', label: 'Slack webhook URL', secretName: 'SLACK_WEBHOOK_URL', hints: ['hooks.slack.com/services/'],
    re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{20,30}/g,
    prefix: fixed('https://hooks.slack.com/services/'), body: (m) => m.slice(33) },
  { kind: 'npm-token', label: 'npm token', secretName: 'NPM_TOKEN', hints: ['npm_'],
    re: /\bnpm_[A-Za-z0-9]{36}\b/g, prefix: fixed('npm_') },
  { kind: 'vault-token', label: 'HashiCorp Vault token', secretName: 'VAULT_TOKEN', hints: ['hvs.'],
    re: /\bhvs\.[A-Za-z0-9_-]{90,120}\b/g, prefix: fixed('hvs.') },
  { kind: 'stripe-key', label: 'Stripe live key', secretName: 'STRIPE_SECRET_KEY', hints: ['k_live_'],
    re: /\b[rs]k_live_[0-9a-zA-Z]{24,99}\b/g, prefix: (m) => m.slice(0, 8) },
  { kind: 'azure-storage-key', label: 'Azure storage account key', secretName: 'AZURE_STORAGE_CONNECTION_STRING', hints: ['AccountKey='],
    re: /AccountKey=[A-Za-z0-9+/]{86}==/g, prefix: fixed('AccountKey='), body: (m) => m.slice(11) },
  { kind: 'google-api-key', label: 'Google API key', secretName: 'GOOGLE_API_KEY', hints: ['AIza'],
    re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, prefix: fixed('AIza'), lowRisk: true },
  { kind: 'private-key', label: 'private key', secretName: 'PRIVATE_KEY', hints: ['-----BEGIN'],
    re: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g, prefix: fixed('-----BEGIN … PRIVATE KEY-----'),
    // The header alone is in every doc; require key material right after it (real or `\n` newlines).
    body: (m) => m, accept: (text, _s, end) => /^(?:\s|\\[nr])*(?:Proc-Type:[^\n\\]*(?:\\n|\n)DEK-Info:[^\n\\]*(?:\\n|\n)(?:\s|\\n)*)?[A-Za-z0-9+/]{40,}/.test(text.slice(end, end + 400)) },
];

/** Names whose literal values are credentials (catalogue S1 structural rule, §4.5). */
const KNOWN_NAMES = new Set([
  'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACEHUB_API_TOKEN', 'HF_USER_ACCESS_TOKEN', 'WANDB_API_KEY',
  'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_PASSWORD', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'KAGGLE_KEY',
  'NEPTUNE_API_TOKEN', 'COMET_API_KEY', 'DATABRICKS_TOKEN', 'REPLICATE_API_TOKEN', 'AWS_SECRET_ACCESS_KEY',
]);
const SECRET_SUFFIX =
  /(?:^|_)(?:TOKEN|AUTH_TOKEN|API_?KEY|APIKEY|SECRET|SECRET_?KEY|CLIENT_SECRET|PASSWORD|PASSWD|ACCESS_?KEY|PRIVATE_?KEY|AUTH_?KEY|MASTER_KEY|ACCOUNT_KEY|LICENSE_KEY|ENCRYPTION_KEY)$/;
/** Tokenizer vocabulary (`pad_token = "<pad>"`) and counters are not credentials. */
const NOT_SECRET_NAME =
  /^(?:.*_)?(?:BOS|EOS|PAD|UNK|MASK|SEP|CLS|SPECIAL|START|END|STOP|IMAGE|IMG|AUDIO|VIDEO|DEFAULT|ADDITIONAL|SPLIT|PREFIX|SUFFIX|MIDDLE|BOI|EOI|THINK|NEW|MAX|MIN|NUM|EOT|EOD|BOT|TOOL|PLACEHOLDER|CHAT|SYSTEM|USER|ASSISTANT|FIM|NEXT|LAST|FIRST|PREV|CSRF|PAGE|CONTINUATION|RESUME|CANCELLATION)_TOKEN$/;

export function isSecretName(name: string): boolean {
  if (!SECRET_NAME_WORD.test(name)) return false;
  const n = name.toUpperCase().replace(/-/g, '_');
  if (KNOWN_NAMES.has(n)) return true;
  return SECRET_SUFFIX.test(n) && !NOT_SECRET_NAME.test(n);
}

/**
 * True when a literal assigned to a credential-like name looks like a real credential: no
 * reference or interpolation, no path or URL, not an identifier, not a placeholder, entropy ≥ 3.
 */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (v.length < 8 || v.length > 300) return false;
  if (!/^[A-Za-z0-9_\-+/=.~!@#%^&*:]+$/.test(v)) return false;
  if (v.includes('://') || /^[./~]/.test(v) || /\.(json|txt|pem|key|crt|ya?ml|env|cfg|ini|toml|p12|pfx|gpg|asc|py|sh)$/i.test(v)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(v) || /^[a-z][a-z0-9_.-]*[a-z]$/.test(v)) return false;
  if (/^(true|false|null|none|undefined)$/i.test(v)) return false;
  if (isPlaceholder(v)) return false;
  const h = entropy(v);
  if (h < 3) return false;
  const mixed = /[0-9]/.test(v) && /[A-Za-z]/.test(v);
  return mixed || (v.length >= 20 && h >= 3.5);
}

function plausible(body: string): boolean {
  return !isPlaceholder(body) && entropy(body) >= 3;
}

/**
 * Prefilter: a string where none of these occurs (any case) cannot hold a token-format hit: every
 * family needs one of its hints, the paired AWS secret needs `secret…access…key`, legacy W&B `wandb`.
 */
const ANY_TOKEN_HINT = new RegExp(
  [...FAMILIES.flatMap((f) => f.hints).map((h) => h.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), 'secret_?access_?key', 'wandb'].join('|'),
  'i',
);

/** Prefilter: every credential-like name (`isSecretName`) contains one of these words, in any case. */
const SECRET_NAME_WORD = /token|key|secret|passw/i;

/**
 * Which ranges of a text may hold a token-format hit or a credential-like name, from one scan of the
 * whole text: a slice can contain a prefilter word only if a whole-text match starts at most one word
 * length before it. Lets callers skip `tokenHits` / `assignmentHits` on most scalars of a file.
 */
export class HintIndex {
  private readonly token: number[];
  private readonly name: number[];
  constructor(text: string) {
    this.token = starts(text, ANY_TOKEN_HINT);
    this.name = starts(text, SECRET_NAME_WORD);
  }
  mayHoldToken(start: number, end: number): boolean {
    return anyIn(this.token, start - MAX_HINT, end);
  }
  mayHoldName(start: number, end: number): boolean {
    return anyIn(this.name, start - 6, end);
  }
}

/** Longest text `ANY_TOKEN_HINT` can match (`hooks.slack.com/services/`). */
const MAX_HINT = 32;

function starts(text: string, re: RegExp): number[] {
  const g = new RegExp(re.source, 'gi');
  const out: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = g.exec(text)) !== null) out.push(m.index);
  return out;
}

/** True when a sorted list holds a value in [lo, hi). */
function anyIn(sorted: number[], lo: number, hi: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (sorted[mid] < lo) a = mid + 1;
    else b = mid;
  }
  return a < sorted.length && sorted[a] < hi;
}

/** Token-format hits in a string. The string is scanned once per family whose hint occurs in it. */
export function tokenHits(text: string): SecretHit[] {
  if (!ANY_TOKEN_HINT.test(text)) return [];
  const hits: SecretHit[] = [];
  for (const f of FAMILIES) {
    if (!f.hints.some((h) => text.includes(h))) continue;
    const re = new RegExp(f.re.source, 'g');
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const value = m[0];
      const start = m.index;
      const end = start + value.length;
      const prefix = f.prefix(value);
      const body = f.body ? f.body(value) : value.slice(prefix.length);
      if (f.kind !== 'private-key' && !plausible(body)) continue;
      if (f.accept && !f.accept(text, start, end)) continue;
      let kind = f.kind;
      let label = f.label;
      let secretName = f.secretName;
      if (kind === 'private-key' && (/"private_key"\s*:\s*"?$/.test(text.slice(Math.max(0, start - 40), start)) || text.slice(Math.max(0, start - 3000), start).includes('service_account'))) {
        kind = 'gcp-service-account-key';
        label = 'GCP service-account private key';
        secretName = 'GCP_SA_KEY';
      }
      hits.push({ kind, label, prefix, start, end, value, secretName, confidence: 'token', lowRisk: f.lowRisk });
      if (kind === 'aws-access-key-id') {
        const paired = awsSecretNear(text, end);
        if (paired) hits.push(paired);
      }
    }
  }
  hits.push(...awsSecretAssigned(text), ...wandbLegacy(text));
  return dedupe(hits);
}

/** A 40-character AWS secret access key within a few lines after an access key id. */
function awsSecretNear(text: string, from: number): SecretHit | undefined {
  const window = text.slice(from, from + 300);
  const m = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/.exec(window);
  if (!m) return undefined;
  const v = m[0];
  if (!(/[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v)) || isPlaceholder(v) || entropy(v) < 4) return undefined;
  return awsSecret(from + m.index, v);
}

function awsSecretAssigned(text: string): SecretHit[] {
  if (!/secret_?access_?key/i.test(text)) return [];
  const out: SecretHit[] = [];
  const re = /aws_?secret_?access_?key["']?\]?\s{0,4}[:=]\s{0,4}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const v = m[1];
    if (isPlaceholder(v) || entropy(v) < 3.5) continue;
    out.push(awsSecret(m.index + m[0].length - v.length, v));
  }
  return out;
}

function awsSecret(start: number, value: string): SecretHit {
  return { kind: 'aws-secret-access-key', label: 'AWS secret access key', prefix: '', start, end: start + value.length, value, secretName: 'AWS_SECRET_ACCESS_KEY', confidence: 'token' };
}

/** Legacy W&B keys are bare 40-hex: only when assigned to WANDB_API_KEY / passed to `wandb login`. */
function wandbLegacy(text: string): SecretHit[] {
  if (!/wandb/i.test(text)) return [];
  const out: SecretHit[] = [];
  const re = /\b[0-9a-f]{40}\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const before = text.slice(Math.max(lineStart, m.index - 100), m.index);
    if (!/wandb/i.test(before) || !/(api_?key|login|key\s*=)/i.test(before) || /[@/]$/.test(before)) continue;
    if (!plausible(m[0])) continue;
    out.push({ kind: 'wandb-api-key', label: 'Weights & Biases API key', prefix: '', start: m.index, end: m.index + 40, value: m[0], secretName: 'WANDB_API_KEY', confidence: 'token' });
  }
  return out;
}

/**
 * Literals assigned to credential-like names in code, env files, Dockerfiles and shell:
 * `NAME=value`, `NAME: value`, `"NAME": "value"`, `os.environ["NAME"] = "value"`, `ENV NAME value`.
 * `quotedOnly` (Python): the value must be a string literal, so calls and names are skipped.
 */
export function assignmentHits(text: string, quotedOnly: boolean): SecretHit[] {
  if (!SECRET_NAME_WORD.test(text)) return [];
  const out: SecretHit[] = [];
  const re = /(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]{1,63})["']?\]?[ \t]{0,4}(?:[:=]|(?<=^[ \t]*ENV[ \t]+[A-Za-z0-9_]+)[ \t])[ \t]{0,4}/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (!isSecretName(m[1])) continue;
    let i = m.index + m[0].length;
    const q = text[i];
    let value: string;
    let start: number;
    if (q === '"' || q === "'") {
      const close = text.indexOf(q, i + 1);
      const nl = text.indexOf('\n', i + 1);
      if (close === -1 || (nl !== -1 && close > nl) || close - i > 300) continue;
      start = i + 1;
      value = text.slice(start, close);
      if (text[i - 1] === 'f' || text[i - 1] === 'b') continue;
    } else {
      if (quotedOnly) continue;
      start = i;
      while (i < text.length && i - start < 301 && !/[\s;,)#"'`]/.test(text[i])) i++;
      value = text.slice(start, i);
      if (text[i] === '(') continue;
    }
    if (!looksLikeCredential(value)) continue;
    out.push({ kind: 'credential-assignment', label: `literal credential assigned to ${m[1]}`, prefix: '', start, end: start + value.length, value, secretName: m[1].toUpperCase().replace(/-/g, '_'), confidence: 'generic' });
  }
  return out;
}

/** Drops hits that overlap an earlier (longer or token-format) hit. */
export function dedupe(hits: SecretHit[]): SecretHit[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || (a.confidence === b.confidence ? b.end - a.end : a.confidence === 'token' ? -1 : 1));
  const out: SecretHit[] = [];
  for (const h of sorted) {
    if (out.some((o) => h.start < o.end && o.start < h.end)) continue;
    out.push(h);
  }
  return out;
}

/** `hf_… (37 chars)`: the kind's fixed prefix and the length, never the random part. */
export function redacted(hit: SecretHit): string {
  return hit.prefix ? `${hit.prefix}… (${hit.value.length} chars)` : `redacted, ${hit.value.length} chars`;
}
