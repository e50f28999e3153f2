// The one output order: namespace, then name (plain code-unit order, so it
// does not depend on the locale).

export interface Keyed {
  readonly namespace: string;
  readonly name: string;
}

export function compareKeys(a: Keyed, b: Keyed): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function keyOf(object: Keyed): string {
  return `${object.namespace}/${object.name}`;
}
