// A cursor over one field of a decoded document that records problems with
// the field's path and line, so decoders read like a checklist:
//
//   const port = spec.get('ports').list()[0]?.get('port').integer(1, 65535, { required: true });
//
// Every reader returns `undefined` for a missing or wrong value and, when the
// value is wrong (or missing but required), records exactly one Problem that
// says what was expected and what was found. Decoders never throw for bad
// input; a throw is a bug and becomes an error Problem at the boundary.

import type { Problem, ProblemLevel, SourceRef } from '../../cluster/index.js';

export type PathSegment = string | number;

/** Everything a Field needs to report a problem about its document. */
export interface DocContext {
  /** The document (or List item) the fields belong to. */
  readonly source: SourceRef;
  readonly problems: Problem[];
  /** Line of a path inside the whole document, when the text is known (YAML node ranges). */
  readonly locate?: (path: readonly PathSegment[]) => number | undefined;
  /** Path of this object inside the document (`['items', 3]` for List items); not shown in messages. */
  readonly prefix: readonly PathSegment[];
}

interface ReadOptions {
  /** Missing (absent or null) is an error instead of `undefined`. */
  readonly required?: boolean;
}

export class Field {
  constructor(
    readonly ctx: DocContext,
    readonly value: unknown,
    // The path is built only when a problem is reported: decoding reads
    // hundreds of thousands of fields and reports almost none.
    private readonly parent?: Field,
    private readonly key: PathSegment = '',
  ) {}

  /** Path of this field from the object's root (`['spec', 'ports', 0]`). */
  get path(): PathSegment[] {
    return this.parent === undefined ? [] : [...this.parent.path, this.key];
  }

  /** The child field `key` (absent children are Fields with value undefined). */
  get(key: PathSegment): Field {
    return new Field(this.ctx, childOf(this.value, key), this, key);
  }

  /** Present means neither absent nor `null` (Kubernetes treats JSON null as absent). */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  error(message: string): undefined {
    this.report('error', message);
    return undefined;
  }

  warn(message: string): void {
    this.report('warning', message);
  }

  /** Records `expected <what>, got <value>` and returns undefined. */
  expected(what: string): undefined {
    return this.error(`expected ${what}, got ${describeValue(this.value)}`);
  }

  /** False (with a "required" problem when asked) when the value is missing. */
  private check(options: ReadOptions | undefined, what: string): boolean {
    if (this.present) return true;
    if (options?.required) this.error(`required field is missing (expected ${what})`);
    return false;
  }

  string(options?: ReadOptions): string | undefined {
    if (!this.check(options, 'a string')) return undefined;
    return typeof this.value === 'string' ? this.value : this.expected('a string');
  }

  integer(min: number, max: number, options?: ReadOptions): number | undefined {
    const what = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer ${min}-${max}`;
    if (!this.check(options, what)) return undefined;
    const value = this.value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.expected(what);
    }
    return value;
  }

  boolean(options?: ReadOptions): boolean | undefined {
    if (!this.check(options, 'true or false')) return undefined;
    return typeof this.value === 'boolean' ? this.value : this.expected('true or false');
  }

  oneOf<T extends string>(allowed: readonly T[], options?: ReadOptions): T | undefined {
    const what = `one of ${allowed.map((value) => `"${value}"`).join(', ')}`;
    if (!this.check(options, what)) return undefined;
    const found = allowed.find((value) => value === this.value);
    return found ?? this.expected(what);
  }

  /** True for a present mapping; a present non-mapping is an error. */
  mapping(options?: ReadOptions): boolean {
    if (!this.check(options, 'a mapping')) return false;
    if (isPlainObject(this.value)) return true;
    this.expected('a mapping');
    return false;
  }

  /** The items of a list; absent gives `[]`, a non-list is an error. */
  list(options?: ReadOptions): Field[] {
    if (!this.check(options, 'a list')) return [];
    if (!Array.isArray(this.value)) {
      this.expected('a list');
      return [];
    }
    return this.value.map((_, index) => this.get(index));
  }

  /** The entries of a mapping as child fields; absent gives `[]`. */
  entries(options?: ReadOptions): [string, Field][] {
    if (!this.mapping(options)) return [];
    return Object.keys(this.value as object).map((key) => [key, this.get(key)]);
  }

  /**
   * A string->string map (labels, annotations, selectors). Non-string values
   * are errors with a hint to quote them: YAML reads `version: 1` and
   * `enabled: true` as a number and a boolean, which the API server rejects.
   */
  stringMap(): Record<string, string> {
    const pairs: [string, string][] = [];
    for (const [key, field] of this.entries()) {
      const value = field.value;
      if (typeof value === 'string') {
        pairs.push([key, value]);
      } else if (typeof value === 'number' || typeof value === 'boolean') {
        field.error(`expected a string, got ${describeValue(value)} (quote it: ${key}: "${String(value)}")`);
      } else {
        field.expected('a string');
      }
    }
    // fromEntries defines own properties, so a `__proto__` key stays a plain key.
    return pairs.length === 0 ? NO_STRINGS : Object.fromEntries(pairs);
  }

  private report(level: ProblemLevel, message: string): void {
    const line = this.ctx.locate?.([...this.ctx.prefix, ...this.path]);
    const source = line === undefined ? this.ctx.source : { ...this.ctx.source, line };
    const field = formatPath(this.path);
    this.ctx.problems.push(field === '' ? { level, source, message } : { level, source, field, message });
  }
}

/**
 * Every empty string map is this one object: most annotations and many
 * labels are empty, and 35,000 empty objects were 2 MB at 150,000 pods.
 * Frozen, so a caller that wrongly writes to one fails instead of changing all.
 */
const NO_STRINGS: Record<string, string> = Object.freeze({});

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function childOf(value: unknown, key: PathSegment): unknown {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined;
  if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  return value[key];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.ports[1].targetPort`; keys that are not identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** How a found value is shown in "expected X, got Y" (strings quoted, long ones cut). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}
