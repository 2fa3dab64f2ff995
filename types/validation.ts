/**
 * fastest-validator rules shared by the actions of several services, so a name or an id is
 * checked the same way whether it arrives over HTTP, from the REPL or from another service.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Characters as a reader counts them: grapheme clusters (an emoji, a flag or "é" is one). */
export function characterCount(text: string): number {
	let count = 0;
	for (const _ of graphemes.segment(text)) count++;
	return count;
}

/** fastest-validator's item for one problem, as a `custom` checker pushes it. */
interface CheckError {
	type: string;
	expected: number;
	actual: number;
}

/**
 * A name's length: at most `maxCharacters` grapheme clusters, and at most `maxCodePoints` code
 * points, the column's size (Postgres counts code points), which also keeps a name within the
 * size a btree index row can hold whatever it is made of. fastest-validator's `custom` checker as
 * Moleculer 0.15 calls it (`useNewCustomCheckerFunction`): problems go into `errors`, and the
 * value returned is the param's value from then on.
 */
function nameLength(value: unknown, errors: CheckError[], schema: { maxCharacters: number; maxCodePoints: number }): unknown {
	if (typeof value !== "string") return value;
	const characters = characterCount(value);
	if (characters > schema.maxCharacters) errors.push({ type: "stringMax", expected: schema.maxCharacters, actual: characters });
	else {
		const codePoints = [...value].length;
		if (codePoints > schema.maxCodePoints) errors.push({ type: "stringCodePoints", expected: schema.maxCodePoints, actual: codePoints });
	}
	return value;
}

/**
 * A stored name: trimmed, 1-200 characters (grapheme clusters, not UTF-16 units), no NUL byte
 * (Postgres text cannot hold one). `maxCharacters`/`maxCodePoints` are read by `custom` and by
 * the OpenAPI generator; fastest-validator's own `max` would count UTF-16 units.
 */
export const nameRule = {
	type: "string",
	trim: true,
	min: 1,
	maxCharacters: 200,
	maxCodePoints: 600,
	pattern: /^[^\u0000]*$/,
	custom: nameLength,
} as const;

/** A key a caller chooses so that a repeated call is recognised (an Idempotency-Key, a request key). */
export const keyRule = { type: "string", min: 1, max: 200, optional: true } as const;

/** A row id: a positive 32-bit integer; path parameters arrive as strings, hence `convert`. */
export const idRule = { type: "number", integer: true, positive: true, max: 2_147_483_647, convert: true } as const;

/** `page` and `pageSize` of every list action. */
export const pageRules = {
	page: { type: "number", integer: true, positive: true, max: 1_000_000, convert: true, optional: true },
	pageSize: { type: "number", integer: true, positive: true, max: 100, convert: true, optional: true },
} as const;

/** The `sort` of a list: one of the given fields, `-` in front for descending. */
export function sortRule(fields: string[]) {
	return { type: "enum", values: fields.flatMap(f => [f, `-${f}`]), optional: true } as const;
}

/**
 * A list's `sort` as the database adapter takes it, ties broken by id: rows that share a name or
 * a status keep one order from page to page, so none shows twice or is skipped.
 */
export function sortThenById(sort = "id"): string[] {
	return sort === "id" || sort === "-id" ? [sort] : [sort, "id"];
}
