// What every area's settings validator shares: a problem that names settings
// by FIELD PATH (`port`, `cache.maxTtl`, `tcp.maxConnections`) rather than by
// a flag or an option key, and the few checks they all make.
//
// Each area (server/, forward/, admin/, live/, guard/, cluster/) owns its
// settings type, defaults and validator in its own settings.ts; src/config.ts
// composes them. The adapters spell a field path their own way, from one
// table each: the CLI as `--cache-max-ttl` (cli/options.ts), the Node API as
// `cache.maxTtl` (api/options.ts).

/** A setting named inside a problem's text; each adapter spells it its own way. */
export interface FieldRef<F extends string = string> {
  readonly field: F;
}

/** One problem with the settings given: the field it is about, and its text with every setting named as a FieldRef. */
export interface SettingProblem<F extends string = string> {
  readonly field: F;
  readonly parts: readonly (string | FieldRef<F>)[];
}

/** Where a validator puts the problems it finds (an array), so every problem is reported, not just the first. */
export interface Problems<F extends string = string> {
  push(...found: SettingProblem<F>[]): unknown;
}

/** `field` as a piece of a problem's text. */
export function at<F extends string>(field: F): FieldRef<F> {
  return { field };
}

/**
 * A problem written as text: problem`${at('port')} must be ..., got ${show(value)}`.
 * The first FieldRef is the field the problem is about.
 */
export function problem<F extends string>(strings: TemplateStringsArray, ...values: (FieldRef<F> | string | number)[]): SettingProblem<F> {
  const parts: (string | FieldRef<F>)[] = [];
  strings.forEach((text, index) => {
    if (text !== '') parts.push(text);
    const value = values[index];
    if (value === undefined) return;
    parts.push(typeof value === 'object' ? value : String(value));
  });
  const first = parts.find((part): part is FieldRef<F> => typeof part === 'object');
  if (!first) throw new Error('a setting problem must name a field');
  return { field: first.field, parts };
}

/** The problem's text with every field spelled by `name` (the CLI's flags, the API's option keys). */
export function spell<F extends string>(found: SettingProblem<F>, name: (field: F) => string): string {
  return found.parts.map((part) => (typeof part === 'string' ? part : name(part.field))).join('');
}

/** An integer in [min, max], or a problem naming the field (and 0 in its place). */
export function integerIn<F extends string>(field: F, value: unknown, min: number, max: number, unit: string, problems: Problems<F>): number {
  const number = toInteger(value);
  if (number === undefined || number < min || number > max) {
    problems.push(problem`${at(field)} must be an integer from ${min} to ${max}${unit === '' ? '' : ` ${unit}`}, got ${show(value)}`);
    return 0;
  }
  return number;
}

/** One of `choices`, or a problem naming the field (and the first choice in its place). */
export function oneOf<F extends string, T extends string>(field: F, value: unknown, choices: readonly T[], problems: Problems<F>): T {
  const text = String(value) as T;
  if (choices.includes(text)) return text;
  problems.push(problem`${at(field)} must be one of ${choices.join(', ')}, got ${show(value)}`);
  return choices[0]!;
}

export function toInteger(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}

export function toStringList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A repeatable setting whose entries may also be comma-separated (`--allow a,b --allow c`), blanks dropped. */
export function listEntries(value: unknown): string[] {
  return toStringList(value)
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
