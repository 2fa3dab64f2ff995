/**
 * fastest-validator rules, as the actions declare them, in JSON Schema (OpenAPI 3.1 takes JSON
 * Schema 2020-12 as it is). Only what a client can see: `convert`, `trim` and messages change
 * nothing on the wire. A rule of a kind not listed here becomes `{}` (anything), never a guess.
 */
export type Rule = string | { type?: string; optional?: boolean; default?: unknown; [option: string]: unknown };
export type Rules = Record<string, Rule>;
export type JsonSchema = Record<string, unknown>;

/** A RegExp as declared, or its source as a string; a RegExp that travelled as JSON arrives as `{}` and is dropped. */
function patternOf(pattern: unknown): string | undefined {
	if (pattern instanceof RegExp) return pattern.source;
	return typeof pattern === "string" ? pattern : undefined;
}

/** "string|optional|min:1" shorthand to its object form. */
function expand(rule: Rule): Exclude<Rule, string> {
	if (typeof rule !== "string") return rule;
	const [type, ...flags] = rule.split("|");
	const options: Record<string, unknown> = { type };
	for (const flag of flags) {
		const [name, value] = flag.split(":");
		options[name] = value === undefined ? true : Number.isNaN(Number(value)) ? value : Number(value);
	}
	return options;
}

/** One rule's schema. */
export function ruleSchema(declared: Rule): JsonSchema {
	const rule = expand(declared);
	const schema: JsonSchema = {};
	switch (rule.type) {
		case "string": {
			schema.type = "string";
			if (typeof rule.min === "number") schema.minLength = rule.min;
			if (typeof rule.max === "number") schema.maxLength = rule.max;
			// A name (types/validation.ts): JSON Schema counts code points, the rule also graphemes.
			if (typeof rule.maxCodePoints === "number") schema.maxLength = rule.maxCodePoints;
			if (typeof rule.maxCharacters === "number") {
				schema.description = `At most ${rule.maxCharacters} characters as a reader counts them (grapheme clusters: an emoji or a flag is one), and at most ${rule.maxCodePoints} code points.`;
			}
			const pattern = patternOf(rule.pattern);
			if (pattern !== undefined) schema.pattern = pattern;
			if (Array.isArray(rule.enum)) schema.enum = rule.enum;
			break;
		}
		case "number": {
			schema.type = rule.integer ? "integer" : "number";
			if (typeof rule.min === "number") schema.minimum = rule.min;
			if (typeof rule.max === "number") schema.maximum = rule.max;
			if (rule.positive) {
				if (rule.integer) schema.minimum = Math.max(1, Number(schema.minimum ?? 1));
				else schema.exclusiveMinimum = 0;
			}
			break;
		}
		case "boolean":
			schema.type = "boolean";
			break;
		case "enum": {
			const values = (rule.values ?? []) as unknown[];
			if (values.every(v => typeof v === "string")) schema.type = "string";
			schema.enum = values;
			break;
		}
		case "object":
			Object.assign(schema, objectSchema((rule.props ?? rule.properties ?? {}) as Rules, rule.strict === true));
			break;
		case "array":
			schema.type = "array";
			if (rule.items !== undefined) schema.items = ruleSchema(rule.items as Rule);
			break;
	}
	if (rule.default !== undefined) schema.default = rule.default;
	return schema;
}

/** Whether a client must give it. */
export function isRequired(rule: Rule): boolean {
	const { optional, default: byDefault } = expand(rule);
	return optional !== true && byDefault === undefined;
}

/** The fields of a params object (`$$strict` and other `$$` options are not fields). */
export function fields(params: Rules): [string, Rule][] {
	return Object.entries(params).filter(([name]) => !name.startsWith("$$"));
}

/** An object of these fields; `strict` (the actions' `$$strict: true`) refuses any other. */
export function objectSchema(params: Rules, strict: boolean): JsonSchema {
	const entries = fields(params);
	const required = entries.filter(([, rule]) => isRequired(rule)).map(([name]) => name);
	return {
		type: "object",
		properties: Object.fromEntries(entries.map(([name, rule]) => [name, ruleSchema(rule)])),
		...(required.length > 0 ? { required } : {}),
		...(strict ? { additionalProperties: false } : {}),
	};
}
