import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import { extensionOf } from '../../model/file-role.js';
import { pointRegion } from '../locs.js';
import { isLfsPointerBytes, isPickleCapable, sniffFormat, type ModelFormat } from '../../pickle/index.js';
import { lfsRuleFor, lfsRules } from './lib-gitattributes.js';

/** Safe, data-only weights in git are reported above this size only (catalogue M6). */
const DATA_WEIGHTS_THRESHOLD = 10 * 1024 * 1024;
/** Code-capable files below this size under a test directory are treated as fixtures (catalogue M6 FP note). */
const TEST_FIXTURE_THRESHOLD = 100 * 1024;

/** Names that promise a pickle, and Keras formats that run `Lambda` layers on load. */
const CODE_BY_NAME = new Set(['.pkl', '.pickle', '.dill', '.joblib', '.h5', '.hdf5', '.keras']);
const TEST_DIR = /(^|\/)(tests?|testing|testdata|test_data|fixtures?|__fixtures__|spec)\//i;

const FORMAT_LABEL: Partial<Record<ModelFormat, string>> = {
  pickle: 'pickle',
  'torch-legacy': 'legacy PyTorch pickle',
  zip: 'zip archive (PyTorch checkpoint or similar)',
  zlib: 'compressed pickle',
  gzip: 'compressed pickle',
  'joblib-zfile': 'compressed joblib pickle',
  bz2: 'compressed pickle',
  xz: 'compressed pickle',
  lz4: 'compressed pickle',
  safetensors: 'safetensors',
  gguf: 'GGUF',
  hdf5: 'HDF5/Keras',
  npy: 'NumPy array',
  tflite: 'TFLite',
};

function human(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

function lfsPatternFor(path: string): string {
  return `*${extensionOf(path)}`;
}

export const committedModelWeights: Check = {
  meta: {
    id: 'committed-model-weights',
    title: 'Model weights committed as git blobs instead of Git LFS',
    defaultSeverity: 'high',
    severityNote:
      'High for pickle-capable or code-capable formats (pickle, PyTorch, joblib, Keras/HDF5) anywhere, low when such a file is under ' +
      `${TEST_FIXTURE_THRESHOLD / 1024} KB in a test or fixture directory; medium for data-only formats (safetensors, GGUF, ONNX, ...) above ` +
      `${DATA_WEIGHTS_THRESHOLD / (1024 * 1024)} MB, which are not reported below it; high when an LFS rule covers the file but the blob is not a pointer.`,
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-9', 'CICD-SEC-1'], ssdf: ['PS.1.1', 'PW.4.4'], atlas: ['AML.T0010.003'] },
    docs: {
      why:
        'Weights committed as ordinary git blobs live forever in the history, are reviewed by nobody (a binary diff shows nothing), and ' +
        'a pickle-based checkpoint among them runs code when it is loaded: a pull request that swaps `model.pt` is a supply-chain ' +
        'attack that code review cannot see. Models belong in a registry or at least in Git LFS, where they are versioned by hash and can ' +
        'be guarded by push rules. The format is recognised from magic bytes (a `.bin` that is safetensors is data-only; a `.pt` is a ' +
        'PyTorch zip or pickle). Rules: pickle-capable and Keras/HDF5 files are reported at any size (low when under 100 KB in a test or ' +
        'fixture directory); data-only formats (safetensors, GGUF, ONNX, NumPy, TFLite...) only above 10 MB. Git LFS pointers are fine. ' +
        'A file that a `.gitattributes` `filter=lfs` rule covers but that is a regular blob means the LFS filter did not run when it was ' +
        'committed (git-lfs not installed, or the file added before the rule); this is reported when the snapshot comes from GitHub. In a ' +
        'local checkout such files are skipped, since git-lfs replaces pointers by the real content on checkout.',
      howToFix:
        'Track the format with Git LFS: add `*.pt filter=lfs diff=lfs merge=lfs -text` (one line per extension) to `.gitattributes` ' +
        '(`git lfs track "*.pt"` does it), then `git rm --cached <file> && git add <file>` so the file is committed as a pointer. That does ' +
        'not remove the blob from history: use `git lfs migrate import --include="*.pt"` (rewrites history) if that matters. Better, publish ' +
        'weights to a model registry and download them by digest. Prefer safetensors over pickle-based formats. On GitHub Team/Enterprise, ' +
        'a push ruleset with `file_extension_restriction` (.pkl, .pt, .pth, .ckpt, .joblib...) stops new ones.',
      references: [
        'https://docs.github.com/en/repositories/working-with-files/managing-large-files/about-git-large-file-storage',
        'https://github.com/git-lfs/git-lfs/blob/main/docs/man/git-lfs-migrate.adoc',
        'https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets',
        'https://huggingface.co/docs/safetensors/index',
      ],
    },
  },
  run(input) {
    const rules = lfsRules(input.filesWithRole('gitattributes'), input.textOf);
    const findings: FindingDraft[] = [];
    for (const file of input.filesWithRole('model')) {
      // Unloaded content (above the collector's limit) cannot be told apart from an LFS checkout: skipped.
      if (!file.bytes || file.lfsPointer || isLfsPointerBytes(file.bytes)) continue;
      const ext = extensionOf(file.path);
      const format = sniffFormat(file.bytes);
      const rule = lfsRuleFor(rules, file.path);
      const label = FORMAT_LABEL[format] ?? `${ext.slice(1)} file`;
      if (rule?.lfs) {
        // A local checkout with git-lfs holds the smudged content: only a snapshot of the blobs can prove the filter did not run.
        if (input.snapshot.source !== 'github') continue;
        findings.push({
          severity: 'high',
          message:
            `${file.path} (${human(file.size)}) is covered by the Git LFS rule \`${rule.pattern}\` in ${rule.path}:${rule.line} but is ` +
            'committed as a regular blob, so the LFS filter did not run when it was added.',
          path: file.path,
          region: pointRegion(1),
          fixable: false,
          data: { format, size: file.size, lfsRule: `${rule.path}:${rule.line}`, filterDidNotRun: true },
        });
        continue;
      }
      const codeCapable = isPickleCapable(format) || format === 'hdf5' || (format === 'unknown' && CODE_BY_NAME.has(ext));
      let severity: Severity;
      let why: string;
      if (codeCapable) {
        const fixture = file.size < TEST_FIXTURE_THRESHOLD && TEST_DIR.test(file.path);
        severity = fixture ? 'low' : 'high';
        why = fixture ? 'a small test fixture, but a format that runs code when loaded' : 'a format that can run code when loaded';
      } else {
        if (file.size <= DATA_WEIGHTS_THRESHOLD) continue;
        severity = 'medium';
        why = 'models belong in Git LFS or a model registry';
      }
      findings.push({
        severity,
        message: `${file.path} (${human(file.size)}, ${label}) is committed as a regular git blob instead of a Git LFS pointer: ${why}.`,
        path: file.path,
        region: pointRegion(1),
        fixable: true,
        data: { format, size: file.size, lfsPattern: lfsPatternFor(file.path) },
      });
    }
    return findings;
  },
};
