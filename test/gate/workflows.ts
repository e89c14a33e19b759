/** Workflow texts of the simulated model-release repository used by the gate tests. */
export const RELEASE = '.github/workflows/release.yml';

export const CLEAN_RELEASE = `name: release model
on:
  workflow_dispatch:
permissions:
  contents: read
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
      id-token: write
      attestations: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: ./.github/actions/push-model
`;

export const PUSH_MODEL_ACTION = `name: push model
description: uploads the model
runs:
  using: composite
  steps:
    - run: ./scripts/push.sh
      shell: bash
`;

/** The composite action interpolates an issue title into a script: script injection, in a file the deployment runs. */
export const INJECTED_ACTION = `name: push model
description: uploads the model
runs:
  using: composite
  steps:
    - run: echo "\${{ github.event.issue.title }}" && ./scripts/push.sh
      shell: bash
`;
