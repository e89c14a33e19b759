import { workflowInvalid } from '../../src/checks/meta/workflow-invalid.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(workflowInvalid);
