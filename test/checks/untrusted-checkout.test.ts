import { untrustedCheckout } from '../../src/checks/injection/untrusted-checkout.js';
import { describeFixtures } from '../helpers/fixtures.js';

describeFixtures(untrustedCheckout);
