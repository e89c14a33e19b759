import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import { extensionOf } from '../../model/file-role.js';
import { pointRegion } from '../locs.js';
import { classifyGlobal, isLfsPointerBytes, scanModelBytes, type ModelScan } from '../../pickle/index.js';

/** Extensions whose usual loaders unpickle (catalogue §4.3). Content decides the rest: magic bytes, not names. */
export const PICKLE_LOADED_EXTENSIONS = ['.pkl', '.pickle', '.dill', '.joblib', '.sav', '.pt', '.pth', '.bin', '.ckpt', '.model', '.mar', '.npy', '.npz'];
/** Names that promise a pickle: content that is no known format is walked as one (and reported if it fails). */
const PICKLE_NAMED = new Set(['.pkl', '.pickle', '.dill', '.joblib', '.sav']);

function quoteList(items: string[], max = 3): string {
  const shown = items.slice(0, max).map((raw) => {
    // Names come from the file: no control characters, no backticks, bounded length.
    const s = raw.replace(/[\u0000-\u001f\u007f`]/g, '?');
    return `\`${s.length > 80 ? `${s.slice(0, 77)}...` : s}\``;
  });
  const more = items.length > max ? ` and ${items.length - max} more` : '';
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')}${more ? ', ' : ' and '}${shown[shown.length - 1]}${more}` : `${shown[0]}${more}`;
}

function memberNote(wheres: string[]): string {
  const inner = [...new Set(wheres.filter((w) => w))];
  return inner.length > 0 ? ` (in ${quoteList(inner, 2)})` : '';
}

/** Turns the scan of one file into at most one finding (the worst), with every detail in `data`. */
function assessScan(path: string, scan: ModelScan): FindingDraft | undefined {
  const dangerous: { q: string; where: string }[] = [];
  const risky: { q: string; where: string }[] = [];
  const unknown: { q: string; where: string }[] = [];
  for (const s of scan.streams) {
    for (const g of s.globals) {
      const c = classifyGlobal(g.module, g.name);
      const hit = { q: c.qualified, where: s.where };
      if (c.risk === 'dangerous') dangerous.push(hit);
      else if (c.risk === 'risky') risky.push(hit);
      else if (c.risk === 'unknown') unknown.push(hit);
    }
  }
  const uniq = (xs: { q: string }[]): string[] => [...new Set(xs.map((x) => x.q))];
  const broken = scan.streams.filter((s) => !s.ok);
  const corrupt = scan.problems.filter((p) => !/cannot decompress|cannot read/.test(p.reason));
  const unsupported = scan.problems.filter((p) => /cannot decompress|cannot read/.test(p.reason));
  const firstError = broken[0]?.error ? `${broken[0].error.reason} at byte ${broken[0].error.offset}` : corrupt[0]?.reason;

  let severity: Severity;
  let message: string;
  if (dangerous.length > 0) {
    severity = 'critical';
    message = `${path} imports ${quoteList(uniq(dangerous))} in its pickle data${memberNote(dangerous.map((d) => d.where))}, which runs code as soon as the file is loaded.`;
  } else if (risky.length > 0) {
    severity = 'high';
    message = `${path} imports the network client ${quoteList(uniq(risky))} in its pickle data${memberNote(risky.map((d) => d.where))}, which no model needs at load time.`;
  } else if (broken.length > 0 || corrupt.length > 0) {
    severity = 'high';
    const where = memberNote([...broken.map((b) => b.where), ...corrupt.map((c) => c.where)]);
    message = `${path} holds pickle data that does not parse${where} (${firstError ?? 'malformed'}); a broken stream can hide a payload that runs before the error, so treat it as suspicious.`;
  } else if (unknown.length > 0) {
    severity = 'medium';
    message = `${path} imports ${quoteList(uniq(unknown))} in its pickle data${memberNote(unknown.map((d) => d.where))}, outside the known-safe model globals; review what loading it runs.`;
  } else if (unsupported.length > 0) {
    severity = 'medium';
    message = `${path} could not be inspected: ${unsupported[0].reason}${memberNote(unsupported.map((u) => u.where))}.`;
  } else return undefined;

  const data: Record<string, string | number | boolean> = { format: scan.format };
  if (dangerous.length > 0) data.dangerousGlobals = uniq(dangerous).join(' ');
  if (risky.length > 0) data.riskyGlobals = uniq(risky).join(' ');
  if (unknown.length > 0) data.unknownGlobals = uniq(unknown).slice(0, 50).join(' ');
  if (firstError) data.parseError = firstError;
  return { severity, message, path, region: pointRegion(1), fixable: false, data };
}

export const unsafePickle: Check = {
  meta: {
    id: 'unsafe-pickle',
    title: 'Pickle, PyTorch or joblib file that imports dangerous globals',
    defaultSeverity: 'critical',
    severityNote:
      'Critical when the pickle imports a code-execution or system global (os, posix, subprocess, builtins.eval/exec, runpy...); ' +
      'high for network clients and for pickle data that does not parse; medium for globals outside the known-safe model list ' +
      'or for compression this scanner cannot open.',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-9', 'CICD-SEC-3'], ssdf: ['PW.4.4'], atlas: ['AML.T0011.000', 'AML.T0018.002', 'AML.T0010.003'] },
    docs: {
      why:
        'Loading a pickle (pickle.load, torch.load without weights_only, joblib.load) calls whatever functions its opcodes import: a ' +
        'model file that imports `posix.system` or `builtins.exec` runs an attacker\'s command on every developer laptop, CI runner and ' +
        'inference server that loads it, with their credentials. Malicious models of this kind have been found on the Hugging Face Hub ' +
        '(ATLAS case study AML.CS0031, "nullifAI"), some deliberately corrupted after the payload so that scanners that stop on errors ' +
        'miss them. Pipeline Guard decodes the opcodes statically (never unpickling): plain pickles of protocols 0-5, PyTorch zip ' +
        'checkpoints (`archive/data.pkl`), legacy PyTorch files, joblib files (raw or zlib/gzip-compressed, NumPy array payloads ' +
        'included), `.npy`/`.npz` object arrays and TorchServe `.mar` archives. The format is recognised from magic bytes, so a `.bin` ' +
        'that is safetensors or a GGML file is left alone. Git LFS pointers are skipped (their content is not in the repository).',
      howToFix:
        'Do not merge the file. Find out where it came from and replace it with a safe format: `safetensors` for tensors ' +
        '(`safetensors.torch.save_file`), ONNX or skops for scikit-learn models. If a pickle is unavoidable, load it only with ' +
        '`torch.load(..., weights_only=True)` and scan artifacts in CI with modelscan, picklescan or fickling. An unparsable pickle ' +
        'should be regenerated from a trusted source, not repaired. A medium finding lists globals outside the known-safe set ' +
        '(for example your own classes): check that each one is code you trust.',
      references: [
        'https://docs.python.org/3/library/pickle.html#restricting-globals',
        'https://github.com/protectai/modelscan',
        'https://github.com/mmaitre314/picklescan',
        'https://github.com/trailofbits/fickling',
        'https://huggingface.co/docs/hub/security-pickle',
        'https://atlas.mitre.org/studies/AML.CS0031',
      ],
    },
  },
  run(input) {
    const findings: FindingDraft[] = [];
    for (const file of input.filesWithRole('model')) {
      const ext = extensionOf(file.path);
      if (!PICKLE_LOADED_EXTENSIONS.includes(ext)) continue;
      if (!file.bytes || file.lfsPointer || isLfsPointerBytes(file.bytes)) continue;
      const scan = scanModelBytes(file.bytes, { assumePickle: PICKLE_NAMED.has(ext) });
      const finding = assessScan(file.path, scan);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
