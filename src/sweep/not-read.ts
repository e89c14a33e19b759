import type { Failure } from '../collect/github-rest.js';

/**
 * A fact the sweep chose not to read: never `ok`, so checks say "not evaluated". `error` rather than
 * `unavailable`, because some checks read "unavailable" as "the plan does not offer it" and conclude.
 */
export function notRead(why: string): Failure {
  return { status: 'error', reason: `not read by the organisation sweep (${why}); run a per-repository audit for it` };
}
