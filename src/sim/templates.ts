/**
 * Workflow templates for the org generator: what ML repositories really run (CI with pip and pytest,
 * training on self-hosted GPUs, PyPI releases, docker pushes, model uploads), safe and unsafe
 * variants, with SHA-pinned or tag-pinned actions.
 */
export type Rng = () => number;

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const PINS: Record<string, [string, string]> = {
  'actions/checkout': ['v4', '11bd71901bbe5b1630ceea73d27597364c9af683'],
  'actions/setup-python': ['v5', '0b93645e9fea7318ecaed2b359559ac225c90a2b'],
  'actions/upload-artifact': ['v4', 'b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882'],
  'actions/cache': ['v4', '1bd1e32a3bdc45362d1e726936510720a7c30a57'],
  'docker/login-action': ['v3', '9780b0c442fbb1117ed29e0efdff1e18412f7567'],
  'docker/build-push-action': ['v6', '4f58ea79222b3b9dc2c8bbdd6debcef730109a75'],
  'pypa/gh-action-pypi-publish': ['release/v1', '76f52bc884231f62b9a034ebfe128415bbaabdfc'],
  'aws-actions/configure-aws-credentials': ['v4', 'e3dd6a429d7300a6a4c196c26e071d42e0343502'],
};

export function uses(rng: Rng, action: keyof typeof PINS | string, pinned: boolean): string {
  const [tag, sha] = PINS[action] ?? ['v1', '0'.repeat(40)];
  return pinned || rng() < 0.05 ? `${action}@${sha} # ${tag}` : `${action}@${tag}`;
}

interface Ctx {
  rng: Rng;
  pinned: boolean;
  python: string;
}

type Template = (c: Ctx) => string;

const ci: Template = ({ rng, pinned, python }) => `name: CI
on:
  push:
    branches: [main]
  pull_request:
${rng() < 0.5 ? 'permissions:\n  contents: read\n' : ''}jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - uses: ${uses(rng, 'actions/setup-python', pinned)}
        with:
          python-version: "${python}"
      - uses: ${uses(rng, 'actions/cache', pinned)}
        with:
          path: ~/.cache/pip
          key: pip-\${{ hashFiles('requirements.txt') }}
      - run: pip install -r requirements.txt${rng() < 0.3 ? ' --extra-index-url https://pypi.internal.example.com/simple' : ''}
      - run: pytest -q tests/
`;

const trainGpu: Template = ({ rng, pinned, python }) => `name: Train
on:
  workflow_dispatch:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  train:
    runs-on: [self-hosted, gpu]
    timeout-minutes: 720
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - uses: ${uses(rng, 'actions/setup-python', pinned)}
        with:
          python-version: "${python}"
      - run: pip install torch transformers datasets
      - run: python src/train.py --epochs ${1 + Math.floor(rng() * 20)} --out models/
        env:
          WANDB_API_KEY: \${{ secrets.WANDB_API_KEY }}
      - uses: ${uses(rng, 'actions/upload-artifact', pinned)}
        with:
          name: model
          path: models/
`;

const releasePypi: Template = ({ rng, pinned }) =>
  rng() < 0.5
    ? `name: Release
on:
  release:
    types: [published]
jobs:
  pypi:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - run: pip install build twine && python -m build
      - run: twine upload dist/*
        env:
          TWINE_USERNAME: __token__
          TWINE_PASSWORD: \${{ secrets.PYPI_TOKEN }}
`
    : `name: Release
on:
  release:
    types: [published]
permissions:
  contents: read
jobs:
  pypi:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - run: pip install build && python -m build
      - uses: ${uses(rng, 'pypa/gh-action-pypi-publish', pinned)}
`;

const dockerPush: Template = ({ rng, pinned }) => `name: Docker
on:
  push:
    tags: ["v*"]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - uses: ${uses(rng, 'docker/login-action', pinned)}
        with:
          username: \${{ vars.DOCKERHUB_USER }}
          password: \${{ secrets.DOCKERHUB_TOKEN }}
      - uses: ${uses(rng, 'docker/build-push-action', pinned)}
        with:
          push: true
          tags: example/model-server:\${{ github.ref_name }}
`;

const prTarget: Template = ({ rng, pinned }) => `name: PR benchmark
on:
  pull_request_target:
    types: [opened, synchronize]
jobs:
  bench:
    runs-on: ${rng() < 0.5 ? '[self-hosted, gpu]' : 'ubuntu-latest'}
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: pip install -r requirements.txt && python bench.py
        env:
          HF_TOKEN: \${{ secrets.HF_TOKEN }}
`;

const modelUpload: Template = ({ rng, pinned }) =>
  rng() < 0.5
    ? `name: Upload model
on:
  workflow_dispatch:
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - run: aws s3 cp models/ s3://ml-models-prod/\${{ github.sha }}/ --recursive
        env:
          AWS_ACCESS_KEY_ID: \${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
`
    : `name: Push to the Hub
on:
  push:
    branches: [main]
jobs:
  hub:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - run: pip install huggingface_hub
      - run: huggingface-cli upload example/model models/ --token \${{ secrets.HF_TOKEN }}
`;

const commentBot: Template = ({ rng, pinned }) => `name: Comment command
on:
  issue_comment:
    types: [created]
jobs:
  run:
    if: contains(github.event.comment.body, '/retrain')
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - run: echo "Requested by \${{ github.event.comment.user.login }}: \${{ github.event.comment.body }}"
`;

const nightlyEval: Template = ({ rng, pinned, python }) => `name: Nightly eval
on:
  schedule:
    - cron: "30 1 * * *"
permissions:
  contents: read
jobs:
  eval:
    runs-on: ubuntu-latest
    container: python:${python}
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
      - run: curl -sSL https://install.example.com/eval.sh | bash
      - run: python -m eval --suite nightly
`;

const lint: Template = ({ rng, pinned, python }) => `name: Lint
on: [push, pull_request]
permissions:
  contents: read
jobs:
  ruff:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses(rng, 'actions/checkout', pinned)}
        with:
          persist-credentials: false
      - uses: ${uses(rng, 'actions/setup-python', pinned)}
        with:
          python-version: "${python}"
      - run: pip install ruff==0.6.9 && ruff check .
`;

export const TEMPLATES: readonly [string, Template, number][] = [
  ['ci', ci, 5],
  ['lint', lint, 3],
  ['train-gpu', trainGpu, 2],
  ['release-pypi', releasePypi, 2],
  ['docker', dockerPush, 2],
  ['pr-benchmark', prTarget, 1],
  ['upload-model', modelUpload, 2],
  ['comment-command', commentBot, 1],
  ['nightly-eval', nightlyEval, 2],
];

const TOTAL_WEIGHT = TEMPLATES.reduce((s, t) => s + t[2], 0);

export function workflow(rng: Rng, pinned: boolean): { kind: string; text: string } {
  let x = rng() * TOTAL_WEIGHT;
  for (const [kind, t, w] of TEMPLATES) {
    x -= w;
    if (x < 0) return { kind, text: t({ rng, pinned, python: pick(rng, ['3.10', '3.11', '3.12']) }) };
  }
  const [kind, t] = TEMPLATES[0];
  return { kind, text: t({ rng, pinned, python: '3.11' }) };
}

/** pickle.dumps({'w': [1, 2, 3]}, protocol=2): plain data, no imports. */
export const SAFE_PICKLE = Buffer.from('80027d710058010000007771015d7102284b014b024b0365732e', 'hex');
/** A protocol-2 pickle that calls os.system("id") when loaded (GLOBAL os system + REDUCE). */
export const DANGEROUS_PICKLE = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1')]);

/** A minimal safetensors file: 8-byte little-endian header length, JSON header, tensor bytes. */
export function tinySafetensors(): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(8)]);
}
