/**
 * How dangerous an imported global is. Denylist from modelscan's defaults (catalogue M7) plus known
 * bypass gadgets; allowlist of what PyTorch, NumPy, joblib and scikit-learn-style pickles normally import.
 */

export type GlobalRisk = 'dangerous' | 'risky' | 'known' | 'unknown';

/** Imports that run code, spawn processes, touch files or load further pickles: critical. Dotted prefixes. */
const DANGEROUS: readonly string[] = [
  'os', 'nt', 'posix', 'subprocess', '_posixsubprocess', 'commands', 'popen2', 'pty', 'runpy', 'socket', 'sys',
  'shutil', 'importlib', 'imp', 'pickle', '_pickle', 'cPickle', 'dill', 'cloudpickle', 'marshal', 'bdb', 'pdb',
  'asyncio', 'ctypes', '_ctypes', 'multiprocessing', 'code', 'codeop', 'timeit', 'cProfile.run', 'cProfile.runctx',
  'profile.run', 'profile.runctx', 'trace', 'doctest', 'pydoc.pipepager', 'pydoc.tempfilepager', 'venv', 'ensurepip',
  'distutils', 'setuptools', 'pip', 'platform.popen', 'types.CodeType', 'types.FunctionType',
  'operator.attrgetter', 'operator.methodcaller', 'linecache', 'zipimport', 'site',
  'builtins.eval', 'builtins.exec', 'builtins.execfile', 'builtins.compile', 'builtins.getattr', 'builtins.setattr',
  'builtins.delattr', 'builtins.apply', 'builtins.open', 'builtins.breakpoint', 'builtins.__import__',
  'builtins.globals', 'builtins.locals', 'builtins.vars', 'builtins.input', 'builtins.memoryview',
  'numpy.load', 'numpy.lib.npyio.load', 'numpy.testing._private.utils.runstring', 'numpy.f2py',
  'numpy.distutils', 'torch.load', 'torch.serialization.load', 'torch.hub', 'torch.jit.load', 'torch._C._jit',
  'torch.package', 'joblib.load', 'joblib.numpy_pickle.load', 'pandas.read_pickle', 'pandas.io.pickle',
  'keras.models.load_model', 'tensorflow.keras.models.load_model', 'tensorflow.io', 'tensorflow.saved_model.load',
];

/** Network clients: high. */
const RISKY: readonly string[] = [
  'webbrowser', 'httplib', 'http.client', 'http.server', 'urllib.request', 'urllib2', 'urllib3', 'requests',
  'aiohttp', 'ftplib', 'smtplib', 'telnetlib', 'poplib', 'imaplib', 'xmlrpc', 'paramiko',
];

/** Exact globals PyTorch, NumPy, joblib and the standard library emit for plain data. */
const KNOWN_EXACT = new Set([
  'collections.OrderedDict', 'collections.defaultdict', 'collections.Counter', 'collections.deque',
  'builtins.set', 'builtins.frozenset', 'builtins.slice', 'builtins.complex', 'builtins.bytearray', 'builtins.bytes',
  'builtins.object', 'builtins.list', 'builtins.dict', 'builtins.tuple', 'builtins.int', 'builtins.float',
  'builtins.str', 'builtins.bool', 'builtins.range',
  'copyreg._reconstructor', 'copyreg.__newobj__', '_codecs.encode', 'datetime.datetime', 'datetime.date',
  'datetime.timedelta', 'datetime.timezone', 'decimal.Decimal', 'fractions.Fraction', 'uuid.UUID',
  'pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.Path', 'argparse.Namespace', 'enum.Enum',
  'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state', 'torch._utils._rebuild_qtensor',
  'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_nested_tensor', 'torch._utils._rebuild_meta_tensor_no_storage',
  'torch._utils._rebuild_device_tensor_from_numpy', 'torch._utils._rebuild_wrapper_subclass',
  'torch._tensor._rebuild_from_type_v2', 'torch._tensor._rebuild_from_type', 'torch.Size', 'torch.device',
  'torch.dtype', 'torch.Tensor', 'torch.nn.parameter.Parameter', 'torch.storage.UntypedStorage',
  'torch.storage.TypedStorage', 'torch.storage._load_from_bytes', 'torch.per_tensor_affine', 'torch.contiguous_format',
  'torch.channels_last', 'torch.preserve_format',
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', 'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar', 'numpy.ndarray', 'numpy.dtype', 'numpy.ma.core._mareconstruct',
  'numpy.random._pickle.__randomstate_ctor', 'numpy.random._pickle.__bit_generator_ctor',
  'numpy.random._pickle.__generator_ctor', 'numpy.random.mtrand.RandomState', 'numpy.random.__RandomState_ctor',
  'joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'scipy.sparse._csr.csr_matrix', 'scipy.sparse._csc.csc_matrix', 'scipy.sparse.csr.csr_matrix',
  'pandas._libs.internals._unpickle_block', 'pandas.core.internals.blocks.new_block',
]);

/** Libraries whose classes (CapitalisedName, no dots) commonly appear in model pickles. */
const CLASS_LIBRARIES = ['torch.nn.modules', 'sklearn', 'scipy.sparse', 'pandas.core', 'xgboost', 'lightgbm', 'catboost', 'numpy', 'torch'];
/** torch.FloatStorage, torch.cuda.HalfStorage, torch.float32 and friends. */
const TORCH_DATA = /^torch(\.cuda)?\.(\w*Storage|float\d*|half|bfloat16|double|u?int\d+|long|short|bool|complex\d+|cfloat|cdouble|qu?int\d+|float8_\w+)$/;

function under(full: string, prefixes: readonly string[]): string | undefined {
  return prefixes.find((p) => full === p || full.startsWith(`${p}.`));
}

/** Python 2 module names Python 3's unpickler maps to their new names. */
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg', exceptions: 'builtins' };

export interface Classified {
  risk: GlobalRisk;
  /** `module.name` as Python resolves it. */
  qualified: string;
  /** The denylist entry it matched, when dangerous or risky. */
  rule?: string;
}

export function classifyGlobal(module: string, name: string): Classified {
  const mod = PY2_MODULES[module] ?? module;
  const qualified = `${module}.${name}`;
  const full = `${mod}.${name}`;
  // A dunder step in a dotted name walks to interpreter internals (__globals__, __builtins__, __subclasses__...).
  if (/(^|\.)__\w+__(\.|$)/.test(name) && name !== '__newobj__' && !/^__\w+_ctor$/.test(name)) {
    return { risk: 'dangerous', qualified, rule: 'attribute walk through a dunder' };
  }
  const bad = under(full, DANGEROUS) ?? under(mod, DANGEROUS);
  if (bad) return { risk: 'dangerous', qualified, rule: bad };
  const risky = under(full, RISKY) ?? under(mod, RISKY);
  if (risky) return { risk: 'risky', qualified, rule: risky };
  if (KNOWN_EXACT.has(full) || TORCH_DATA.test(full)) return { risk: 'known', qualified };
  if (/^[A-Z][A-Za-z0-9_]*$/.test(name) && under(mod, CLASS_LIBRARIES)) return { risk: 'known', qualified };
  return { risk: 'unknown', qualified };
}
