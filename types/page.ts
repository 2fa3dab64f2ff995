import type { FromSchema } from "json-schema-to-ts";

/** One page of a list, as every `*.list` action returns it, for rows of the given schema. */
export function pageSchema<const Row>(row: Row) {
	return {
		type: "object",
		properties: {
			rows: { type: "array", items: row },
			total: { type: "integer", minimum: 0 },
			page: { type: "integer", minimum: 1 },
			pageSize: { type: "integer", minimum: 1 },
			totalPages: { type: "integer", minimum: 0 },
		},
		required: ["rows", "total", "page", "pageSize", "totalPages"],
		additionalProperties: false,
	} as const;
}

export type Page<T> = Omit<FromSchema<ReturnType<typeof pageSchema<object>>>, "rows"> & { rows: T[] };
