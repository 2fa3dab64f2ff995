/**
 * fastest-validator rules shared by the actions of several services, so a name or an id is
 * checked the same way whether it arrives over HTTP, from the REPL or from another service.
 */

/** A stored name: trimmed, 1-200 characters, no NUL byte (Postgres text cannot hold one). */
export const nameRule = {
	type: "string",
	trim: true,
	min: 1,
	max: 200,
	pattern: /^[^\u0000]*$/,
	messages: { stringPattern: "The '{field}' field must not contain NUL bytes." },
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
