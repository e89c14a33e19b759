import { workflowRunArtifactTrust } from '../../src/checks/injection/workflow-run-artifact-trust.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(workflowRunArtifactTrust);
