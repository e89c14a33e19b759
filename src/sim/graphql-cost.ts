/**
 * GitHub's GraphQL rate-limit cost of a query document, computed the way GitHub documents it: each
 * connection (a field with `first` or `last`) costs one request per parent node that can hold it
 * (the product of the enclosing connections' sizes); the sum divided by 100, rounded, at least 1.
 * `nodes` is the most nodes the query can return (GitHub's node limit, 500,000 per call).
 * The simulator charges this; test/helpers/graphql-cost.ts re-exports it for recorded requests.
 */
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export function graphqlCost(query: string | DocumentNode, variables: Record<string, unknown> = {}): { requests: number; points: number; nodes: number } {
  const doc = typeof query === 'string' ? parse(query) : query;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let requests = 0;
  let nodes = 0;
  const walk = (set: SelectionSetNode | undefined, multiplier: number): void => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) walk(fragments.get(sel.name.value)?.selectionSet, multiplier);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, multiplier);
      else {
        const size = sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last')?.value;
        let n: number | undefined;
        if (size?.kind === Kind.INT) n = Number(size.value);
        else if (size?.kind === Kind.VARIABLE) n = Number(variables[size.name.value] ?? 100);
        if (n === undefined) walk(sel.selectionSet, multiplier);
        else {
          requests += multiplier;
          nodes += multiplier * n;
          walk(sel.selectionSet, multiplier * n);
        }
      }
    }
  };
  for (const d of doc.definitions) if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet, 1);
  return { requests, points: Math.max(1, Math.round(requests / 100)), nodes };
}
