/**
 * How a variable's text becomes a setting: one rule per kind of value. Unset or empty, a
 * variable takes its default; a value that does not fit its rule fails in one line that names
 * the variable, the value and what was expected.
 */

/** Variables by name, as in process.env: a test passes an object of its own. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable whose value does not fit its rule. Its message is the whole story: no stack needed. */
export class SettingError extends Error {
	constructor(name: string, raw: string, expected: string) {
		super(`${name} must be ${expected}, got "${raw}"`);
		this.name = "SettingError";
	}
}

/** The value, trimmed; undefined when unset or empty. */
function given(env: Env, name: string): string | undefined {
	return env[name]?.trim() || undefined;
}

function integerExpected(min: number, max: number | undefined): string {
	if (max !== undefined) return `an integer from ${min} to ${max}`;
	return min === 0 ? "a non-negative integer" : `an integer of at least ${min}`;
}

/** Digits only (no sign, exponent or hex), at least `min` (default 0) and at most `max`. */
export function integer(env: Env, name: string, fallback: number, { min = 0, max }: { min?: number; max?: number } = {}): number {
	const raw = given(env, name);
	if (raw === undefined) return fallback;
	const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
	if (!(value >= min && value <= (max ?? Number.MAX_SAFE_INTEGER))) throw new SettingError(name, raw, integerExpected(min, max));
	return value;
}

/** The range of a TCP port; 0 asks the system for a free one. */
export const PORT_RANGE = { min: 0, max: 65_535 };

/** "true" or "false", nothing else: "false", "0" or "no" never turn a feature on. */
export function boolean(env: Env, name: string, fallback: boolean): boolean {
	const raw = given(env, name);
	if (raw === undefined) return fallback;
	if (raw !== "true" && raw !== "false") throw new SettingError(name, raw, `"true" or "false"`);
	return raw === "true";
}

/** One of `values`, exactly as written. */
export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
	const raw = given(env, name);
	if (raw === undefined) return fallback;
	const found = values.find(value => value === raw);
	if (found === undefined) throw new SettingError(name, raw, choices(values));
	return found;
}

function choices(values: readonly string[]): string {
	const quoted = values.map(value => `"${value}"`);
	return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}` : quoted.join("");
}

/** Comma-separated items, each trimmed, empty ones dropped. */
export function items(raw: string): string[] {
	return raw
		.split(",")
		.map(item => item.trim())
		.filter(Boolean);
}

/** A comma-separated list; `fallback` when it has no items. */
export function list(env: Env, name: string, fallback: readonly string[] = []): readonly string[] {
	const found = items(env[name] ?? "");
	return found.length > 0 ? found : fallback;
}

/**
 * Text as given (a password may well start with a space), or `fallback`; without a fallback,
 * undefined when unset or empty.
 */
export function text(env: Env, name: string): string | undefined;
export function text(env: Env, name: string, fallback: string): string;
export function text(env: Env, name: string, fallback?: string): string | undefined {
	return env[name] || fallback;
}
