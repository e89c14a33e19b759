/** The hygiene checks (literal secrets, remote scripts, package indexes), in catalogue order. */
import type { Check } from '../types.js';
import { remoteScriptExec } from './remote-script-exec.js';
import { dependencyConfusion } from './dependency-confusion.js';
import { hardcodedSecret } from './hardcoded-secret.js';

export const checks: Check[] = [remoteScriptExec, dependencyConfusion, hardcodedSecret];
