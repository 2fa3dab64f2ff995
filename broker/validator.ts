import { Validators } from "moleculer";

/** One problem with one field, as a 422's `data` lists it. `value` only when it is short and plain. */
export interface FieldProblem {
	field: string;
	message: string;
	type: string;
	value?: string | number | boolean | null;
}

/** fastest-validator's own item, as its check returns it. */
interface CheckItem {
	type: string;
	field?: string;
	message?: string;
	expected?: unknown;
	actual?: unknown;
}

const SHOWN_UP_TO = 60;

/** The given value, safe to show: short strings and scalars as they are, anything else by its kind. */
export function shown(value: unknown): string {
	if (typeof value === "string") return JSON.stringify(value.length > SHOWN_UP_TO ? `${value.slice(0, SHOWN_UP_TO)}…` : value);
	if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
	if (Array.isArray(value)) return "an array";
	return value === undefined ? "nothing" : `an ${typeof value}`;
}

/** The value for `data`: only a scalar that can be echoed whole. */
function safeValue(value: unknown): FieldProblem["value"] {
	if (typeof value === "string") return value.length <= SHOWN_UP_TO && !value.includes("\u0000") ? value : undefined;
	return value === null || typeof value === "number" || typeof value === "boolean" ? value : undefined;
}

const list = (expected: unknown) => (Array.isArray(expected) ? expected.join(", ") : String(expected));

/** What is allowed, by fastest-validator's error type; `{got}` is the value given. */
const ALLOWED: Record<string, (item: CheckItem) => string> = {
	required: () => "is required",
	string: () => "must be a string; got {got}",
	stringEmpty: () => "must not be empty; got {got}",
	stringMin: ({ expected }) => `must be at least ${expected} character${expected === 1 ? "" : "s"} long; got {got}`,
	stringMax: ({ expected, actual }) => `must be at most ${expected} characters long; got ${actual}`,
	stringCodePoints: ({ expected, actual }) => `must be at most ${expected} Unicode code points long; got ${actual}`,
	stringPattern: () => "must not contain NUL bytes",
	enumValue: ({ expected }) => `must be one of ${list(expected)}; got {got}`,
	number: () => "must be a number; got {got}",
	numberInteger: () => "must be a whole number; got {got}",
	numberPositive: () => "must be a positive number; got {got}",
	numberMin: ({ expected }) => `must be at least ${expected}; got {got}`,
	numberMax: ({ expected }) => `must be at most ${expected}; got {got}`,
	object: () => "must be an object; got {got}",
};

/**
 * fastest-validator's items rewritten so each names the field, the value given and what is
 * allowed: `"status" must be one of new, running, completed, failed; got "done"`. An unknown
 * field (`$$strict`) becomes one item per field, named.
 */
export function describeProblems(items: CheckItem[], given: Record<string, unknown>): FieldProblem[] {
	return items.flatMap(item => {
		if (item.type === "objectStrict") {
			return String(item.actual ?? "")
				.split(", ")
				.map(field => ({ field, message: `"${field}" is not a field of this request`, type: "objectStrict" }));
		}
		const field = item.field ?? "";
		const value = given[field];
		const allowed = ALLOWED[item.type]?.(item);
		const message = allowed ? `"${field}" ${allowed.replace("{got}", shown(value))}` : `"${field}": ${item.message ?? item.type}`;
		const problem: FieldProblem = { field, message, type: item.type };
		const echoed = item.type === "stringPattern" ? undefined : safeValue(value);
		if (echoed !== undefined) problem.value = echoed;
		return [problem];
	});
}

/** A compiled check as Moleculer's typings give it (`true`/`false`), and as it really answers (`true` or the problems). */
type MoleculerCheck = ReturnType<InstanceType<typeof Validators.Fastest>["compile"]>;
type Check = ((params: Record<string, unknown>, opts?: unknown) => true | CheckItem[]) & { async?: boolean };

/**
 * Moleculer's fastest-validator, with messages a client can act on (see describeProblems): the
 * same whether a call comes over HTTP, from the REPL or from another service.
 *
 * Relies on Moleculer 0.15.2's validator middleware (`validators/base.js`): it calls the
 * compiled check with the params and passes an array it answers on as the ValidationError's
 * data. Moleculer's typings say the check answers a boolean (fastest-validator's answers `true`
 * or its items), hence the two conversions below. test/unit/validator.spec.ts breaks if either changes.
 */
export class FieldValidator extends Validators.Fastest {
	compile(schema: Record<string, unknown>): MoleculerCheck {
		const compiled = super.compile(schema);
		// No rule here is async; one that is would be checked as fastest-validator words it.
		if (compiled.async) return compiled;
		const check = compiled as unknown as Check;
		// The params as given: `trim` and `convert` change them in place.
		const worded: Check = (params, opts) => {
			const given = { ...params };
			const result = check(params, opts);
			return result === true ? true : describeProblems(result, given);
		};
		return worded as unknown as MoleculerCheck;
	}
}
