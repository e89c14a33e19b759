import { spoofableBotCheck } from '../../src/checks/injection/spoofable-bot-check.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(spoofableBotCheck);
