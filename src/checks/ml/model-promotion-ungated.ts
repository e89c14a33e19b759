import type { FindingDraft } from '../../model/types.js';
import type { Check } from '../types.js';
import { exposure } from '../../workflows/context.js';
import { region, stepLabel } from '../locs.js';
import { modelPromotions } from './lib-signals.js';

/** M1: a job that registers, promotes, uploads or deploys a model runs without an `environment:`. */
export const modelPromotionUngated: Check = {
  meta: {
    id: 'model-promotion-ungated',
    title: 'Model registered, promoted or deployed by a job without a protected environment',
    defaultSeverity: 'high',
    severityNote:
      'High; critical when outsiders can trigger the workflow (pull_request_target, workflow_run, comments); medium when the promotion targets a non-production stage or alias (staging, challenger).',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-1', 'CICD-SEC-5'], ssdf: ['PO.5.1', 'PS.1.1'], atlas: ['AML.M0005', 'AML.T0010.003'] },
    docs: {
      why:
        'A job that registers a model version, moves an MLflow alias or stage, uploads weights to the Hugging Face Hub, ' +
        'creates a SageMaker / Vertex AI / Azure ML model or endpoint, pushes a serving image or rolls out to a cluster decides ' +
        'what users and downstream systems run. Without an `environment:` nothing but a push to a branch stands between a ' +
        'compromised dependency, a stolen token or a careless merge and production: no required reviewer, no branch rule, ' +
        'no wait timer, and the credentials it uses are not scoped to a reviewed deployment.',
      howToFix:
        'Add `environment: production` (or the name of your model-release environment) to the job, move the registry and ' +
        'cloud credentials into that environment\'s secrets, and protect it with required reviewers and a deployment ' +
        'branch/tag rule (see deploy-environment-unprotected). For OIDC, bind the cloud role to `environment:production` ' +
        'in the subject claim. Only the workflow text is read: promotions inside a script the workflow calls are not seen.',
      references: [
        'https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments',
        'https://mlflow.org/docs/latest/ml/model-registry/',
        'https://huggingface.co/docs/huggingface_hub/guides/upload',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-01-Insufficient-Flow-Control-Mechanisms',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      const outsider = exposure(w) === 'high';
      for (const job of w.jobs) {
        if (job.uses || job.environment) continue;
        const signals = modelPromotions(w, job, input.options.hostedRunnerLabels);
        if (signals.length === 0) continue;
        const first = signals.find((s) => !s.nonProd) ?? signals[0];
        const allNonProd = signals.every((s) => s.nonProd);
        const severity = outsider ? 'critical' : allNonProd ? 'medium' : 'high';
        const more = signals.length > 1 ? ` (and ${signals.length - 1} more step${signals.length > 2 ? 's' : ''})` : '';
        out.push({
          severity,
          message: `Job "${job.id}" ${first.what} in ${stepLabel(first.step)}${more} with no deployment environment to gate the promotion.`,
          path: w.path,
          region: region(job.idLoc),
          job: job.id,
          step: stepLabel(first.step),
          fixable: true,
          data: { promotionLine: first.region.line, suggestedEnvironment: 'production' },
        });
      }
    }
    return out;
  },
};
