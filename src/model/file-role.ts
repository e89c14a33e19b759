/** What a repository file is, decided from its path alone. */

export type FileRole =
  | 'workflow'
  | 'action'
  | 'dockerfile'
  | 'python'
  | 'notebook'
  | 'env'
  | 'model'
  | 'gitattributes'
  | 'deps'
  | 'config'
  | 'other';

/** Extensions of serialised model and dataset files (catalogue §4.3). */
const MODEL_EXTENSIONS = [
  '.pt', '.pth', '.bin', '.ckpt', '.pkl', '.pickle', '.joblib', '.h5', '.hdf5', '.keras', '.onnx', '.safetensors',
  '.gguf', '.ggml', '.pb', '.tflite', '.mlmodel', '.npy', '.npz', '.dill', '.sav', '.model', '.mar', '.msgpack',
];

export function extensionOf(path: string): string {
  const base = path.split('/').pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

export function classifyPath(path: string): FileRole {
  const base = path.split('/').pop() ?? '';
  const lower = base.toLowerCase();
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/i.test(path)) return 'workflow';
  if (lower === 'action.yml' || lower === 'action.yaml') return 'action';
  if (path === '.github/pipeline-guard.yml' || path === '.github/pipeline-guard.yaml') return 'config';
  if (/^(dockerfile|containerfile)(\..+)?$/i.test(base) || /\.(dockerfile|containerfile)$/i.test(base)) return 'dockerfile';
  if (lower === '.gitattributes') return 'gitattributes';
  const ext = extensionOf(path);
  if (ext === '.py') return 'python';
  if (ext === '.ipynb') return 'notebook';
  if (lower === '.env' || lower.startsWith('.env.') || ext === '.env') return 'env';
  if (MODEL_EXTENSIONS.includes(ext)) return 'model';
  if (/^(requirements.*\.(txt|in)|constraints.*\.txt|pyproject\.toml|uv\.toml|pip\.conf|pip\.ini|poetry\.toml|setup\.cfg|\.npmrc|\.pypirc)$/i.test(lower)) return 'deps';
  return 'other';
}

/** Roles whose content the collector loads (the rest are listed with their size only). */
export const LOADED_ROLES: ReadonlySet<FileRole> = new Set([
  'workflow', 'action', 'dockerfile', 'python', 'notebook', 'env', 'model', 'gitattributes', 'deps', 'config',
]);
