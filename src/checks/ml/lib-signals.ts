/**
 * What a job does with models and images, read from the workflow text only (catalogue M1–M3, D4, §4.1):
 * model promotions, model/dataset publishes, image pushes, serving deploys, and the signing and
 * verification steps that make them trustworthy. Shared by the four ml checks.
 */
import type { Region } from '../../model/types.js';
import type { Job, KeyValue, Step, WorkflowFile } from '../../workflows/model.js';
import type { CheckInput } from '../types.js';
import { effectivePermissions, hasIdTokenWrite, isSelfHosted, jobText, secretNamesIn } from '../../workflows/context.js';
import { actionName, actionRepo } from '../../workflows/uses.js';
import { region } from '../locs.js';
import { words as tokens } from '../../workflows/shell.js';
import { commandsOf, quote, type Command } from './lib-script.js';

export interface Signal {
  step: Step;
  region: Region;
  /** Short human description, e.g. `pushes to the Hugging Face Hub ("hf upload org/m ./out")`. */
  what: string;
  /** Promotion to a non-production stage or alias (staging, challenger...). */
  nonProd?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Small accessors

function stepAction(step: Step): string | undefined {
  return step.uses ? actionName(step.uses.ref) : undefined;
}

function withValue(step: Step, key: string): KeyValue | undefined {
  return step.with.find((kv) => kv.key === key);
}

function usesRegion(step: Step): Region {
  return region(step.uses?.loc ?? step.loc);
}

/** An input value that is true, or an expression that may be true at run time. */
function truthy(v: string | undefined): boolean {
  if (v === undefined) return false;
  const t = v.trim();
  return t === 'true' || t.includes('${{');
}

function hasDryRun(cmd: string): boolean {
  return /\s--dry[-_]?run\b(?!\s*=\s*(false|none)\b)|\s--dryrun\b/i.test(cmd);
}

/**
 * Per-job memo: the model objects are immutable and a job belongs to one file, so a result computed
 * from (file, job) can be reused by every ml check of the scan.
 */
function memo<T>(cache: WeakMap<Job, T>, job: Job, compute: () => T): T {
  let v = cache.get(job);
  if (v === undefined) {
    v = compute();
    cache.set(job, v);
  }
  return v;
}

const jobCommandsCache = new WeakMap<Job, { step: Step; cmd: Command; script: string }[]>();

/** Each logical command of the job's `run:` steps, with its step. */
function jobCommands(w: WorkflowFile, job: Job): { step: Step; cmd: Command; script: string }[] {
  return memo(jobCommandsCache, job, () => {
    const out: { step: Step; cmd: Command; script: string }[] = [];
    for (const step of job.steps) {
      if (!step.run) continue;
      for (const cmd of commandsOf(w, step)) out.push({ step, cmd, script: step.run.value });
    }
    return out;
  });
}

/** Value of an env variable as the step sees it (step > job > workflow). */
function envOf(w: WorkflowFile, job: Job, step: Step, name: string): string | undefined {
  for (const list of [step.env, job.env, w.env]) {
    const kv = list.find((e) => e.key === name);
    if (kv) return kv.value ?? '';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Model and dataset words

const MODEL_EXT = String.raw`\.(?:pt|pth|bin|ckpt|safetensors|onnx|gguf|ggml|pkl|pickle|joblib|keras|h5|hdf5|pb|tflite|mlmodel|mar|nemo|dill|pdparams|engine|npz)\b`;
const MODEL_WORD = String.raw`(?:^|[\s/_.:"'=-])(?:models?|checkpoints?|ckpts?|weights|adapters?|lora|onnx|gguf|safetensors)(?=$|[\s/_.:"'-])`;
const DATASET_WORD = String.raw`(?:^|[\s/_.:"'=-])datasets?(?=$|[\s/_.:"'-])|\.(?:parquet|arrow|tfrecords?)\b`;
const MODEL_RE = new RegExp(`${MODEL_EXT}|${MODEL_WORD}`, 'i');
const DATASET_RE = new RegExp(DATASET_WORD, 'i');

function artifactKind(text: string): 'model' | 'dataset' | undefined {
  if (MODEL_RE.test(text)) return 'model';
  if (DATASET_RE.test(text)) return 'dataset';
  return undefined;
}

/** Image repository names that denote a model-serving image (`-serving`, `inference`, `model`...). */
const MODEL_IMAGE_RE = /(?:^|[/_.-])(?:models?|serving|inference|predictor|torchserve|triton|llm)(?=$|[/_.:-])/i;

// ---------------------------------------------------------------------------------------------
// MLflow

function isLocalUri(v: string): boolean {
  const t = v.trim().replace(/^["']|["']$/g, '');
  if (t.includes('${{')) return false;
  return /^(file:|sqlite:|\.{0,2}\/|mlruns\b|[A-Za-z]:\\)/.test(t) || /\b(localhost|127\.0\.0\.1|0\.0\.0\.0)\b/.test(t) || t === '';
}

/** Where MLflow calls of a step land: a remote tracking server/registry, a local store, or unknown. */
function mlflowTarget(w: WorkflowFile, job: Job, step: Step): 'remote' | 'local' | 'unknown' {
  const values: string[] = [];
  for (const name of ['MLFLOW_TRACKING_URI', 'MLFLOW_REGISTRY_URI']) {
    const v = envOf(w, job, step, name);
    if (v !== undefined) values.push(v);
  }
  const script = step.run?.value ?? '';
  for (const m of script.matchAll(/\bMLFLOW_(?:TRACKING|REGISTRY)_URI\s*=\s*["']?([^\s"';]+)/g)) values.push(m[1]);
  for (const m of script.matchAll(/\bset_(?:tracking|registry)_uri\(\s*(?:uri\s*=\s*)?["']([^"']*)["']/g)) values.push(m[1]);
  if (values.some((v) => !isLocalUri(v))) return 'remote';
  if (values.length > 0) return 'local';
  const creds = ['DATABRICKS_HOST', 'DATABRICKS_TOKEN', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_USERNAME'];
  if (creds.some((n) => envOf(w, job, step, n) !== undefined)) return 'remote';
  return 'unknown';
}

const MLFLOW_PROMOTE =
  /\b(?:transition_model_version_stage|set_registered_model_alias|register_model|create_model_version|copy_model_version)\s*\(|\bregistered_model_name\s*=|\bmlflow\s+models\s+build-docker\b/;
const MLFLOW_LOG = /\b(?:log_model|save_model)\s*\(|\bmlflow\s+artifacts\s+log-artifacts?\b/;
const NON_PROD = /["'](?:staging|challenger|candidate|dev|test|qa|shadow)["']/i;
const PROD = /["'](?:production|prod|champion|live)["']/i;

// ---------------------------------------------------------------------------------------------
// Hugging Face Hub

const HF_CLI_UPLOAD = /\b(?:huggingface-cli|hf)\s+upload(?:-large-folder)?\b/;
const HF_PY_PUSH = /\b(?:push_to_hub|upload_large_folder)\s*\(|\bpush_to_hub\s*=\s*True\b|--push[_-]to[_-]hub\b(?![= ]\s*(?:false|no|0)\b)/i;
const HF_API_UPLOAD = /\b(?:upload_folder|upload_file|create_commit)\s*\(/;

function hfRepoType(cmd: string): 'model' | 'dataset' | 'space' {
  const m = /--repo[-_]type[= ]\s*["']?(dataset|space|model)s?\b|\brepo_type\s*=\s*["'](dataset|space|model)s?["']|huggingface\.co\/(datasets|spaces)\//.exec(cmd);
  const t = (m?.[1] ?? m?.[2] ?? m?.[3] ?? 'model').replace(/s$/, '');
  return t === 'dataset' || t === 'space' ? t : 'model';
}

function isHfAction(step: Step): boolean {
  if (!step.uses) return false;
  const repo = actionRepo(step.uses.ref);
  if (!repo) return false;
  return /hugging-?face|(?:^|[/_-])hf(?:[/_-]|$)/.test(repo) && /push|upload|sync|deploy|publish/.test(repo);
}

interface HubPush {
  step: Step;
  region: Region;
  what: string;
  repoType: 'model' | 'dataset' | 'space';
}

const hubPushesCache = new WeakMap<Job, HubPush[]>();

function hubPushes(w: WorkflowFile, job: Job): HubPush[] {
  return memo(hubPushesCache, job, () => computeHubPushes(w, job));
}

function computeHubPushes(w: WorkflowFile, job: Job): HubPush[] {
  const out: HubPush[] = [];
  for (const step of job.steps) {
    if (isHfAction(step)) {
      const rt = step.with.find((kv) => /repo[-_]type/i.test(kv.key))?.value;
      const repoType = rt && /dataset/i.test(rt) ? 'dataset' : rt && /space/i.test(rt) ? 'space' : 'model';
      out.push({ step, region: usesRegion(step), what: `pushes to the Hugging Face Hub with ${step.uses?.value}`, repoType });
    }
  }
  for (const { step, cmd, script } of jobCommands(w, job)) {
    const c = cmd.text;
    const api = HF_API_UPLOAD.test(c) && /huggingface_hub|HfApi/.test(script);
    const git = /\bgit\s+(?:lfs\s+)?push\b/.test(c) && (/huggingface\.co/.test(c) || /\bgit\s+(?:clone|remote\s+add)\b[^\n]*huggingface\.co/.test(script));
    if (HF_CLI_UPLOAD.test(c) || HF_PY_PUSH.test(c) || api || git) {
      if (hasDryRun(c)) continue;
      const repoType = hfRepoType(git && !/huggingface\.co/.test(c) ? script : c);
      out.push({ step, region: cmd.region, what: `pushes to the Hugging Face Hub ("${quote(c)}")`, repoType });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Image pushes (D4, and model-serving images for M1)

export interface ImagePush {
  step: Step;
  region: Region;
  /** Image name when it can be read, for messages. */
  image?: string;
  what: string;
}

const LOCAL_REGISTRY = /^(localhost|127\.0\.0\.1|0\.0\.0\.0|kind-registry|registry\.local|ko\.local)(:\d+)?\//i;

function firstTag(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = v.split(/[\n,]/).map((s) => s.trim()).find((s) => s.length > 0);
  return t;
}

function imagePushFromAction(step: Step): ImagePush | undefined {
  const name = stepAction(step);
  if (!name) return undefined;
  let pushes = false;
  let image: string | undefined;
  if (name === 'docker/build-push-action' || name === 'docker/bake-action') {
    const outputs = withValue(step, 'outputs')?.value ?? '';
    pushes = truthy(withValue(step, 'push')?.value) || /type=registry|push=true/.test(outputs);
    image = firstTag(withValue(step, 'tags')?.value);
  } else if (name === 'redhat-actions/push-to-registry') {
    pushes = true;
    const img = withValue(step, 'image')?.value;
    const reg = withValue(step, 'registry')?.value;
    image = img ? (reg ? `${reg}/${img}` : img) : undefined;
  }
  if (!pushes) return undefined;
  if (image && LOCAL_REGISTRY.test(image)) return undefined;
  return { step, region: usesRegion(step), image, what: `pushes ${image ? `image "${quote(image)}"` : 'an image'} with ${name}` };
}

/** The image argument of `docker push IMAGE` style commands (first positional after the verb). */
function positionalAfter(tok: string[], verbIndex: number): string | undefined {
  for (let i = verbIndex + 1; i < tok.length; i++) {
    const t = tok[i];
    if (t.startsWith('-')) {
      if (!t.includes('=') && /^--?(platform|tag|t|file|f)$/.test(t)) i++;
      continue;
    }
    return t;
  }
  return undefined;
}

const PUSH_CMD = /\b(docker|podman|buildah|nerdctl)\s+(?:image\s+)?push\b/;
const BUILD_PUSH_CMD = /\b(?:docker\s+(?:buildx\s+)?(?:build|bake)|podman\s+build|buildah\s+bud)\b[^|;&]*?(?:\s--push\b|\s--output[= ]\S*type=(?:registry|image,[^\s]*push=true))/;
const OTHER_PUSH_CMD =
  /\bdocker\s+buildx\s+imagetools\s+create\b|\b(?:docker\s+compose|docker-compose)\s+push\b|\bko\s+(?:build|publish|resolve|apply)\b|\bjib:build\b|\bgradlew?\b[^|;&]*\sjib\b|\bcrane\s+(?:push|copy|cp)\b|\bskopeo\s+copy\b[^|;&]*\sdocker:\/\//;

function imagePushesFromRun(w: WorkflowFile, job: Job): ImagePush[] {
  const out: ImagePush[] = [];
  for (const { step, cmd } of jobCommands(w, job)) {
    // Split chained commands so `docker build ... && docker push x` reads each part.
    for (const part of cmd.text.split(/\s*(?:&&|\|\||;)\s*/)) {
      const p = PUSH_CMD.exec(part);
      if (p) {
        const tok = tokens(part.slice(p.index));
        const verb = tok.indexOf('push');
        const image = positionalAfter(tok, verb);
        if (image && LOCAL_REGISTRY.test(image)) continue;
        out.push({ step, region: cmd.region, image, what: `pushes ${image ? `image "${quote(image)}"` : 'an image'} ("${quote(part)}")` });
        continue;
      }
      if (BUILD_PUSH_CMD.test(part)) {
        const t = /\s(?:-t|--tag)[= ](\S+)/.exec(part)?.[1]?.replace(/^["']|["']$/g, '');
        if (t && LOCAL_REGISTRY.test(t)) continue;
        out.push({ step, region: cmd.region, image: t, what: `builds and pushes ${t ? `image "${quote(t)}"` : 'an image'} ("${quote(part)}")` });
        continue;
      }
      if (OTHER_PUSH_CMD.test(part)) {
        if (/\bko\b/.test(part) && (/\s--push[= ]false\b|\s(-L|--local)\b/.test(part) || /ko\.local/.test(`${part} ${envOf(w, job, step, 'KO_DOCKER_REPO') ?? ''}`))) continue;
        if (hasDryRun(part)) continue;
        out.push({ step, region: cmd.region, what: `publishes an image ("${quote(part)}")` });
      }
    }
  }
  return out;
}

const imagePushesCache = new WeakMap<Job, ImagePush[]>();

export function imagePushes(w: WorkflowFile, job: Job): ImagePush[] {
  return memo(imagePushesCache, job, () => {
    const fromActions = job.steps.map(imagePushFromAction).filter((p): p is ImagePush => !!p);
    return [...fromActions, ...imagePushesFromRun(w, job)];
  });
}

function isModelImage(p: ImagePush): boolean {
  if (!p.image) return false;
  const repo = p.image.replace(/[:@].*$/, '').split('/').pop() ?? '';
  return MODEL_IMAGE_RE.test(repo);
}

// ---------------------------------------------------------------------------------------------
// Serving deploys (M1, M3)

const DEPLOY_ACTIONS = new Set([
  'aws-actions/amazon-ecs-deploy-task-definition', 'google-github-actions/deploy-cloudrun', 'azure/webapps-deploy',
  'azure/k8s-deploy', 'google-github-actions/deploy-appengine', 'azure/container-apps-deploy-action',
  'aws-actions/amazon-sagemaker-deploy', 'azure/aml-deploy',
]);

const KUBECTL_DEPLOY = /\bkubectl\b[^|;&]*?\s(apply|create|replace|set\s+image|rollout\s+(?:restart|undo))\b/;
const KUBECTL_NOT_WORKLOAD = /\bcreate\s+(secret|namespace|ns|configmap|cm|serviceaccount|sa|token|rolebinding|clusterrolebinding|role|clusterrole)\b/;
const HELM_DEPLOY = /\bhelm\s+(?:upgrade|install)\b/;
const CLOUD_DEPLOY = [
  /\bgcloud\s+(?:beta\s+|alpha\s+)?(?:run\s+(?:deploy|services\s+(?:replace|update))|app\s+deploy|ai\s+endpoints\s+deploy-model)\b/,
  /\baws\s+sagemaker\s+(?:create-endpoint|update-endpoint)\b/,
  /\baws\s+ecs\s+update-service\b/,
  /\baz\s+ml\s+(?:online-deployment|batch-deployment)\s+(?:create|update)\b/,
  /\baz\s+(?:containerapp\s+(?:up|update|create)|webapp\s+(?:deploy|up))\b/,
  /\bmlflow\s+(?:deployments\s+(?:create|update)|sagemaker\s+deploy)\b/,
  /\b(?:modal|bentoml)\s+deploy\b/,
];
/** `.deploy(` of the SageMaker or Vertex AI Python SDK (the script must import one). */
const SDK_DEPLOY = /\.deploy\s*\(|\.(?:online_deployments|batch_deployments)\.(?:begin_)?create_or_update\s*\(/;

const LOCAL_CLUSTER_ACTIONS = /^(helm\/kind-action|engineerd\/setup-kind|container-tools\/kind-action|medyagh\/setup-minikube|manusa\/actions-setup-minikube|absaoss\/k3d-action|nolar\/setup-k3d-k3s|debianmaintainers\/setup-k3s|balchua\/microk8s-actions)/;
const LOCAL_CLUSTER_CMD = /\bkind\s+create\s+cluster\b|\bminikube\s+start\b|\bk3d\s+cluster\s+create\b|\bmicrok8s\b|\bk3s\b.*install|get\.k3s\.io/;
const CLOUD_AUTH_ACTIONS = /^(aws-actions\/configure-aws-credentials|google-github-actions\/(auth|get-gke-credentials)|azure\/(login|aks-set-context|k8s-set-context)|digitalocean\/action-doctl|tale\/kubectl-action|azure\/setup-kubectl)/;

/** A job that builds a throwaway cluster (kind, minikube, k3d): its kubectl/helm calls deploy nothing real. */
function usesLocalCluster(w: WorkflowFile, job: Job): boolean {
  if (job.steps.some((s) => LOCAL_CLUSTER_ACTIONS.test(stepAction(s) ?? ''))) return true;
  return jobCommands(w, job).some(({ cmd }) => LOCAL_CLUSTER_CMD.test(cmd.text));
}

/** Something that lets the job reach a real cluster or cloud: secrets, OIDC, cloud login, environment, own runner. */
function reachesRealTarget(w: WorkflowFile, job: Job, hosted: readonly string[]): boolean {
  if (secretNamesIn(jobText(w, job)).some((n) => n.toUpperCase() !== 'GITHUB_TOKEN')) return true;
  if (hasIdTokenWrite(effectivePermissions(w, job))) return true;
  if (job.environment) return true;
  if (isSelfHosted(job, hosted)) return true;
  return job.steps.some((s) => CLOUD_AUTH_ACTIONS.test(stepAction(s) ?? ''));
}

export interface Deploy extends Signal {
  /** Kubernetes/Helm deploys (an admission policy can verify those). */
  k8s: boolean;
}

const servingDeploysCache = new WeakMap<Job, { hosted: readonly string[]; deploys: Deploy[] }>();

/** Steps that roll a model or image out to a serving target (memoised per job and runner-label list). */
export function servingDeploys(w: WorkflowFile, job: Job, hosted: readonly string[]): Deploy[] {
  const hit = servingDeploysCache.get(job);
  if (hit && hit.hosted === hosted) return hit.deploys;
  const deploys = computeServingDeploys(w, job, hosted);
  servingDeploysCache.set(job, { hosted, deploys });
  return deploys;
}

function computeServingDeploys(w: WorkflowFile, job: Job, hosted: readonly string[]): Deploy[] {
  const out: Deploy[] = [];
  const real = reachesRealTarget(w, job, hosted);
  const localCluster = usesLocalCluster(w, job);
  for (const step of job.steps) {
    const name = stepAction(step);
    if (!name) continue;
    const base = name.split('/').slice(0, 2).join('/');
    if (DEPLOY_ACTIONS.has(name) || DEPLOY_ACTIONS.has(base)) {
      const k8s = base === 'azure/k8s-deploy';
      if (k8s && localCluster) continue;
      out.push({ step, region: usesRegion(step), what: `deploys with ${step.uses?.value}`, k8s });
    }
  }
  for (const { step, cmd, script } of jobCommands(w, job)) {
    const c = cmd.text;
    if (hasDryRun(c)) continue;
    const k = KUBECTL_DEPLOY.exec(c);
    const isK8s = (!!k && !KUBECTL_NOT_WORKLOAD.test(c) && !/\s--(?:client|server)-side\s*=?\s*dry/.test(c)) || HELM_DEPLOY.test(c);
    if (isK8s) {
      if (localCluster || !real) continue;
      out.push({ step, region: cmd.region, what: `deploys with "${quote(c)}"`, k8s: true });
      continue;
    }
    if (CLOUD_DEPLOY.some((re) => re.test(c)) || (SDK_DEPLOY.test(c) && /\bsagemaker\b|aiplatform|azure\.ai\.ml|MLClient/.test(script))) {
      out.push({ step, region: cmd.region, what: `deploys with "${quote(c)}"`, k8s: false });
    }
  }
  return out.sort((a, b) => a.region.line - b.region.line || a.region.column - b.region.column);
}

// ---------------------------------------------------------------------------------------------
// Model promotions (M1)

const SAGEMAKER_REGISTER = /\baws\s+sagemaker\s+(?:create-model|create-model-package|create-endpoint-config)\b|\baws\s+sagemaker\s+update-model-package\b.*--model-approval-status\s+["']?Approved\b/;
const VERTEX_REGISTER = /\bgcloud\s+(?:beta\s+|alpha\s+)?ai\s+models\s+(?:upload|copy)\b|\baiplatform\.Model\.upload\w*\s*\(/;
const AZUREML_REGISTER = /\baz\s+ml\s+(?:model\s+(?:create|register|share)|online-endpoint\s+(?:create|update))\b|\.models\.create_or_update\s*\(/;
const MODEL_PUSH = /\b(?:kit|cog|truss)\s+push\b/;

/** Every step of the job that registers, promotes, uploads or deploys a model. */
export function modelPromotions(w: WorkflowFile, job: Job, hosted: readonly string[]): Signal[] {
  const out: Signal[] = [];
  for (const h of hubPushes(w, job)) {
    if (h.repoType !== 'model') continue;
    out.push({ step: h.step, region: h.region, what: h.what });
  }
  for (const { step, cmd, script } of jobCommands(w, job)) {
    const c = cmd.text;
    if (hasDryRun(c)) continue;
    if (MLFLOW_PROMOTE.test(c) && /mlflow|MlflowClient/i.test(script) && mlflowTarget(w, job, step) !== 'local') {
      const nonProd = NON_PROD.test(c) && !PROD.test(c);
      out.push({ step, region: cmd.region, what: `registers or promotes an MLflow model ("${quote(c)}")`, nonProd });
    } else if (SAGEMAKER_REGISTER.test(c) || VERTEX_REGISTER.test(c) || AZUREML_REGISTER.test(c)) {
      out.push({ step, region: cmd.region, what: `registers a model ("${quote(c)}")` });
    } else if (MODEL_PUSH.test(c)) {
      out.push({ step, region: cmd.region, what: `pushes a model package ("${quote(c)}")` });
    }
  }
  for (const p of imagePushes(w, job)) {
    if (isModelImage(p)) out.push({ step: p.step, region: p.region, what: p.what });
  }
  for (const d of servingDeploys(w, job, hosted)) out.push(d);
  return dedupe(out);
}

function dedupe<T extends Signal>(list: T[]): T[] {
  const seen = new Set<string>();
  return list
    .sort((a, b) => a.region.line - b.region.line || a.region.column - b.region.column)
    .filter((s) => {
      const k = `${s.region.line}:${s.region.column}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

// ---------------------------------------------------------------------------------------------
// Model / dataset publishes (M2)

export interface Publish extends Signal {
  kind: 'model' | 'dataset';
  /** OCI artifact pushes (oras, kit) can be signed with `cosign sign` like images. */
  oci: boolean;
}

const STORAGE_COPY =
  /\b(?:aws\s+s3\s+(?:cp|sync|mv)|gsutil(?:\s+-\w+)*\s+(?:cp|rsync|mv)|gcloud\s+storage\s+(?:cp|rsync|mv)|azcopy\s+(?:copy|cp|sync)|rclone\s+(?:copy|copyto|sync|move))\b/;
const AZ_BLOB_UPLOAD = /\baz\s+storage\s+(?:blob\s+(?:upload|upload-batch|sync)|file\s+upload(?:-batch)?)\b/;
const REMOTE_URL = /^(?:s3|gs|az|abfss?|wasbs?):\/\/|^https:\/\/[^/]+\.(?:blob\.core\.windows\.net|dfs\.core\.windows\.net)|^[A-Za-z][\w-]*:[^/\\]/;

/** `aws s3 cp SRC DST`: an upload when the last positional is remote and the first is not. */
function isUpload(part: string): boolean {
  const m = STORAGE_COPY.exec(part);
  if (!m) return false;
  const rest = tokens(part.slice(m.index + m[0].length));
  const pos: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i];
    if (t.startsWith('-')) {
      // Flags with a separate value (aws --exclude x, --acl x, gsutil -h x...): skip the value too.
      if (!t.includes('=') && /^--(?:exclude|include|acl|region|profile|storage-class|content-type|cache-control|sse|sse-kms-key-id|endpoint-url|metadata|expires)$|^-[hj]$/.test(t)) i++;
      continue;
    }
    if (/^\$\w+$|^\$\{\w+\}$/.test(t) && pos.length === 0 && i + 2 < rest.length) continue; // option variable like $AWS_RUN
    pos.push(t);
  }
  if (pos.length < 2) return false;
  const remote = (t: string): boolean => REMOTE_URL.test(t) && !/^[A-Za-z]:\\/.test(t);
  return remote(pos[pos.length - 1]) && !remote(pos[0]);
}

const RELEASE_ACTIONS: Record<string, string[]> = {
  'softprops/action-gh-release': ['files'],
  'ncipollo/release-action': ['artifacts'],
  'abutler/upload-release-assets': ['files'],
  'actions/upload-release-asset': ['asset_path', 'asset_name'],
  'svenstaro/upload-release-action': ['file'],
  'xresloader/upload-to-github-release': ['file'],
};
const MODEL_FILE_RE = new RegExp(MODEL_EXT, 'i');

export function artifactPublishes(w: WorkflowFile, job: Job): Publish[] {
  const out: Publish[] = [];
  for (const h of hubPushes(w, job)) {
    if (h.repoType === 'space') continue;
    out.push({ step: h.step, region: h.region, what: h.what, kind: h.repoType === 'dataset' ? 'dataset' : 'model', oci: false });
  }
  for (const step of job.steps) {
    const name = stepAction(step);
    const keys = name ? RELEASE_ACTIONS[name] : undefined;
    if (!keys) continue;
    const files = keys.map((k) => withValue(step, k)?.value ?? '').join('\n');
    if (MODEL_FILE_RE.test(files)) {
      out.push({ step, region: usesRegion(step), what: `attaches model files to a release ("${quote(files)}")`, kind: 'model', oci: false });
    }
  }
  for (const { step, cmd, script } of jobCommands(w, job)) {
    const c = cmd.text;
    if (hasDryRun(c)) continue;
    if (/\b(?:oras|kit)\s+push\b/.test(c)) {
      out.push({ step, region: cmd.region, what: `pushes an OCI artifact ("${quote(c)}")`, kind: artifactKind(c) ?? 'model', oci: true });
      continue;
    }
    if (/\bdvc\s+push\b/.test(c)) {
      out.push({ step, region: cmd.region, what: `pushes DVC-tracked data or models ("${quote(c)}")`, kind: 'dataset', oci: false });
      continue;
    }
    if (/\bgh\s+release\s+(?:create|upload)\b/.test(c) && MODEL_FILE_RE.test(c)) {
      out.push({ step, region: cmd.region, what: `attaches model files to a release ("${quote(c)}")`, kind: 'model', oci: false });
      continue;
    }
    const parts = c.split(/\s*(?:&&|\|\||;|\|)\s*/);
    const upload = parts.find((p) => (isUpload(p) || AZ_BLOB_UPLOAD.test(p)) && artifactKind(p));
    if (upload) {
      out.push({ step, region: cmd.region, what: `uploads ${artifactKind(upload)} files to cloud storage ("${quote(upload)}")`, kind: artifactKind(upload) ?? 'model', oci: false });
      continue;
    }
    if (/\bupload_file\s*\(/.test(c) && /\bboto3\b/.test(script) && artifactKind(c)) {
      out.push({ step, region: cmd.region, what: `uploads ${artifactKind(c)} files to S3 ("${quote(c)}")`, kind: artifactKind(c) ?? 'model', oci: false });
      continue;
    }
    if ((MLFLOW_PROMOTE.test(c) || MLFLOW_LOG.test(c)) && /mlflow/i.test(script) && mlflowTarget(w, job, step) === 'remote') {
      out.push({ step, region: cmd.region, what: `logs or registers a model in a remote MLflow server ("${quote(c)}")`, kind: 'model', oci: false });
    }
  }
  return dedupe(out);
}

// ---------------------------------------------------------------------------------------------
// Signing and verification evidence

const FILE_SIGN_CMD =
  /\bcosign\s+(?:sign-blob|attest-blob)\b|\bmodel[_-]signing\s+sign\b|-m\s+model_signing\s+sign\b|\bmodel_signing\.sign(?:ing)?\b|\bsigstore\s+sign\b|\bgpg\b[^|;&]*\s(?:--detach-sign|-b|--detach-sig|-ab|--clearsign)\b|\bminisign\s+-S\b/;
const OCI_SIGN_CMD = /\bcosign\s+(?:sign|attest)(?![\w-])|\bnotation\s+sign\b|\bdocker\s+trust\s+sign\b/;

export interface SigningEvidence {
  /** Files are signed or attested (cosign sign-blob, model_signing, actions/attest subject-path, SLSA generic generator). */
  files: boolean;
  /** Images/OCI artifacts are signed or attested into the registry. */
  images: boolean;
  /** An image attestation exists but is stored on GitHub only (`push-to-registry` not true). */
  imagesGithubOnly: boolean;
}

const ATTEST_ACTIONS = new Set(['actions/attest', 'actions/attest-build-provenance', 'actions/attest-sbom']);

const evidenceCache = new WeakMap<WorkflowFile, SigningEvidence>();

/** Signing evidence of one workflow on its own (memoised per file). */
function evidenceOf(w: WorkflowFile): SigningEvidence {
  let ev = evidenceCache.get(w);
  if (!ev) {
    ev = { files: false, images: false, imagesGithubOnly: false };
    addEvidenceOf(w, ev);
    evidenceCache.set(w, ev);
  }
  return ev;
}

function addEvidenceOf(w: WorkflowFile, ev: SigningEvidence): void {
  for (const job of w.jobs) {
    if (job.uses) {
      const ref = job.uses.ref;
      if (ref.kind === 'action' && `${ref.owner}/${ref.repo}`.toLowerCase() === 'slsa-framework/slsa-github-generator') {
        if (/container/.test(ref.path ?? '')) ev.images = true;
        else ev.files = true;
      }
    }
    for (const step of job.steps) {
      const name = stepAction(step);
      if (name && ATTEST_ACTIONS.has(name)) {
        if (withValue(step, 'subject-path') || withValue(step, 'subject-checksums')) ev.files = true;
        if (withValue(step, 'subject-name') || withValue(step, 'subject-digest')) {
          if (truthy(withValue(step, 'push-to-registry')?.value)) ev.images = true;
          else ev.imagesGithubOnly = true;
        }
      }
      if (name === 'sigstore/gh-action-sigstore-python') ev.files = true;
      if (step.run) {
        const text = commandsOf(w, step).map((c) => c.text).join('\n');
        if (FILE_SIGN_CMD.test(text)) ev.files = true;
        if (OCI_SIGN_CMD.test(text)) ev.images = true;
      }
    }
  }
}

/** Workflows that run with this one: local reusable workflows it calls, callers of it, and `workflow_run` followers. */
function relatedWorkflows(input: CheckInput, w: WorkflowFile): WorkflowFile[] {
  const out = new Set<WorkflowFile>([w]);
  const byPath = new Map(input.workflows.map((x) => [x.path, x]));
  for (const job of w.jobs) {
    const ref = job.uses ? job.uses.ref : undefined;
    if (ref?.kind === 'local') {
      const called = byPath.get(ref.path.replace(/@.*$/, ''));
      if (called) out.add(called);
    }
  }
  const name = w.name?.value;
  for (const other of input.workflows) {
    if (other === w) continue;
    const callsUs = other.jobs.some((j) => {
      const ref = j.uses ? j.uses.ref : undefined;
      return ref?.kind === 'local' && ref.path.replace(/@.*$/, '') === w.path;
    });
    const follows = other.triggers.some((t) => {
      if (t.event !== 'workflow_run' || !name) return false;
      const cfg = t.config as { workflows?: unknown } | undefined;
      const list = Array.isArray(cfg?.workflows) ? cfg.workflows : typeof cfg?.workflows === 'string' ? [cfg.workflows] : [];
      return list.some((x) => x === name);
    });
    if (callsUs || follows) out.add(other);
  }
  return [...out];
}

export function signingEvidence(input: CheckInput, w: WorkflowFile): SigningEvidence {
  const ev: SigningEvidence = { files: false, images: false, imagesGithubOnly: false };
  for (const x of relatedWorkflows(input, w)) {
    const own = evidenceOf(x);
    ev.files ||= own.files;
    ev.images ||= own.images;
    ev.imagesGithubOnly ||= own.imagesGithubOnly;
  }
  return ev;
}

const VERIFY_CMD =
  /\bcosign\s+verify(?:-blob|-attestation|-blob-attestation)?\b|\bgh\s+attestation\s+verify\b|\bmodel[_-]signing\s+verify\b|-m\s+model_signing\s+verify\b|\bmodel_signing\.verify(?:ing)?\b|\bslsa-verifier\s+verify-\w+|\bnotation\s+verify\b|\bsigstore\s+verify\b/;

function stepVerifies(w: WorkflowFile, step: Step): boolean {
  if (!step.run) return false;
  return commandsOf(w, step).some((c) => VERIFY_CMD.test(c.text));
}

/** Jobs this job waits for, transitively. */
function neededJobs(w: WorkflowFile, job: Job): Job[] {
  const byId = new Map(w.jobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const todo = [...job.needs];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(byId.get(id)?.needs ?? []));
  }
  return [...seen].map((id) => byId.get(id)).filter((j): j is Job => !!j);
}

/** A verification runs before `step` of `job`: earlier in the job, or in a job it needs. */
export function verifiedBefore(w: WorkflowFile, job: Job, step: Step): boolean {
  if (job.steps.some((s) => s.index < step.index && stepVerifies(w, s))) return true;
  return neededJobs(w, job).some((j) => j.steps.some((s) => stepVerifies(w, s)));
}

/** A committed admission policy (sigstore policy-controller, Kyverno verifyImages) verifies images in the cluster. */
export function hasAdmissionPolicy(input: CheckInput): boolean {
  for (const f of input.snapshot.files) {
    if (!/\.ya?ml$/i.test(f.path) || f.path.startsWith('.github/workflows/')) continue;
    const text = input.textOf(f);
    if (text && (/^kind:\s*ClusterImagePolicy\b/m.test(text) || /^\s*verifyImages:/m.test(text))) return true;
  }
  return false;
}
