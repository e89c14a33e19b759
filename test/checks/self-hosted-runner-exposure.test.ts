import { selfHostedRunnerExposure } from '../../src/checks/injection/self-hosted-runner-exposure.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(selfHostedRunnerExposure);
