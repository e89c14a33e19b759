import { describe, expect, it } from 'vitest';
import { modelPromotionUngated } from '../../src/checks/ml/model-promotion-ungated.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import type { Finding } from '../../src/model/types.js';
import { FIXTURES_ROOT, describeFixtures, scanWorkflow } from '../helpers/fixtures.js';
import { buildCheckInput } from '../../src/engine/input.js';
import { CORPUS, listFiles, requireCorpus, corpusSnapshot } from '../helpers/corpus.js';
import { checks as mlChecks } from '../../src/checks/ml/index.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

describeFixtures(modelPromotionUngated);

const scan = (yaml: string): Finding[] => scanWorkflow(yaml, [modelPromotionUngated]);

const job = (steps: string, extra = ''): string =>
  `on: push\npermissions: {}\njobs:\n  release:\n    runs-on: ubuntu-latest\n${extra}    steps:\n${steps}`;

describe('model-promotion-ungated details', () => {
  it('names the job and the promoting step, reports on the job key and is fixable', () => {
    const [f] = scan(job('      - name: Publish\n        run: hf upload acme/churn ./out\n'));
    expect(f.message).toContain('Job "release" pushes to the Hugging Face Hub');
    expect(f.message).toContain('step 1 (Publish)');
    expect(f.region?.line).toBe(4);
    expect(f.fixable).toBe(true);
    expect(f.data?.promotionLine).toBe(8);
  });

  it('fires on kubectl rollouts that reach a real cluster, not on throwaway kind clusters', () => {
    const deploy = '      - run: kubectl apply -f serving.yaml\n        env:\n          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}\n';
    expect(scan(job(deploy))).toHaveLength(1);
    expect(scan(job(`      - run: kind create cluster\n${deploy}`))).toEqual([]);
  });

  it('treats a dataset upload as a publish but not as a model promotion', () => {
    expect(scan(job('      - run: hf upload acme/churn ./data --repo-type=dataset\n'))).toEqual([]);
    expect(scan(job('      - run: hf upload acme/churn ./out --repo-type model\n'))).toHaveLength(1);
  });

  it('reads git pushes to a cloned Hub repository', () => {
    const steps = '      - run: |\n          git clone https://huggingface.co/acme/churn hub\n          cp out/* hub/\n          cd hub && git push\n';
    expect(scan(job(steps))).toHaveLength(1);
    expect(scan(job('      - run: |\n          wget https://huggingface.co/acme/churn/resolve/main/config.json\n          git push origin main\n'))).toEqual([]);
  });

  it('needs an MLflow call in an MLflow script, and skips local stores', () => {
    expect(scan(job('      - run: python -c "import mlflow; mlflow.register_model(\'runs:/x/model\', \'churn\')"\n'))).toHaveLength(1);
    expect(scan(job('      - run: python -c "register_model(1)"\n'))).toEqual([]);
    expect(scan(job('      - run: python -c "import mlflow; mlflow.register_model(\'runs:/x/model\', \'churn\')"\n', '    env:\n      MLFLOW_TRACKING_URI: http://localhost:5000\n'))).toEqual([]);
  });

  it('recognises Hub pushes by trainer flags, keyword arguments and Hub sync actions', () => {
    expect(scan(job('      - run: python run_glue.py --model_name_or_path bert-base-cased --push_to_hub --hub_model_id acme/glue\n'))).toHaveLength(1);
    expect(scan(job('      - run: python run_glue.py --push_to_hub false\n'))).toEqual([]);
    expect(scan(job('      - run: python -c "TrainingArguments(output_dir=\'o\', push_to_hub=True)"\n'))).toHaveLength(1);
    expect(scan(job('      - uses: acme/huggingface-sync-action@0123456789012345678901234567890123456789\n'))).toHaveLength(1);
    expect(scan(job('      - uses: huggingface/doc-builder/.github/actions/upload@0123456789012345678901234567890123456789\n'))).toEqual([]);
  });

  it('only counts images named for a model as promotions', () => {
    expect(scan(job('      - run: docker push ghcr.io/acme/churn-inference:1\n'))).toHaveLength(1);
    expect(scan(job('      - run: docker push ghcr.io/acme/docs-builder:1\n'))).toEqual([]);
  });
});

describe('ml fixtures', () => {
  it('all parse, so a quiet fixture is quiet for its stated reason and not because it is invalid', () => {
    const ids = mlChecks.map((c) => c.meta.id);
    expect(ids.sort()).toEqual(['deploy-without-verification', 'image-unsigned', 'model-artifact-unsigned', 'model-promotion-ungated']);
    for (const id of ids) {
      // Every YAML file under these fixture folders is a workflow (directory fixtures keep theirs in .github/workflows).
      for (const file of listFiles(path.join(FIXTURES_ROOT, id), (p) => /\.ya?ml$/.test(p))) {
        const bytes = new Uint8Array(readFileSync(file));
        const input = buildCheckInput({ source: 'local', files: [{ path: '.github/workflows/x.yml', size: bytes.length, bytes }], warnings: [] });
        expect(input.invalid, file).toEqual([]);
        expect(input.workflows, file).toHaveLength(1);
      }
    }
  });
});

/** All four ml checks share their detection code (lib-signals), so the corpus sweep runs them together once. */
describe('ml checks on the peer corpora', () => {
  const run = requireCorpus();
  it.runIf(run)('never throw on any YAML of the corpus', () => {
    for (const file of listFiles(CORPUS, (p) => /\.ya?ml$/i.test(p))) {
      const r = scanSnapshot(corpusSnapshot(file, /action\.ya?ml$/.test(file) ? 'action' : 'workflow'), mlChecks);
      expect(r.warnings.filter((w) => w.includes('failed')), file).toEqual([]);
    }
  });

  it.runIf(run)('report exactly the reviewed findings on the real-world ML workflows', () => {
    const got: string[] = [];
    const root = path.join(CORPUS, 'realworld');
    for (const repo of readdirSync(root).sort()) {
      const files = readdirSync(path.join(root, repo)).map((n) => {
        const bytes = new Uint8Array(readFileSync(path.join(root, repo, n)));
        return { path: n === 'action.yml' ? 'action.yml' : `.github/workflows/${n}`, size: bytes.length, bytes };
      });
      const r = scanSnapshot({ source: 'local', files, warnings: [] }, mlChecks);
      for (const f of r.findings) got.push(`${f.checkId} ${repo}/${path.basename(f.path)}:${f.region?.line}`);
    }
    // Reviewed by hand: public legacy checkpoints synced to S3, community pipelines mirrored to a Hub
    // dataset repo, CI images pushed to Docker Hub; none signed or attested.
    expect(got.sort()).toEqual([
      'image-unsigned huggingface__diffusers/build_docker_images.yml:117',
      'model-artifact-unsigned Lightning-AI__pytorch-lightning/_legacy-checkpoints.yml:136',
      'model-artifact-unsigned huggingface__diffusers/mirror_community_pipeline.yml:95',
    ]);
  });
});
