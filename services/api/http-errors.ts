import type { HttpError } from "../../types";

export type { HttpError };

// A needed service has no node (yet), or did not answer in time: the client may try again.
const UNAVAILABLE = new Set(["ServiceNotFoundError", "ServiceNotAvailableError", "RequestTimeoutError", "RequestRejectedError"]);

// body-parser reports its failures with a `type` of its own.
const BODY_ERRORS: Record<string, { code: number; name: string; message: string }> = {
	"entity.parse.failed": { code: 400, name: "BadRequestError", message: "The body is not valid JSON: it cannot be parsed." },
	"entity.too.large": { code: 413, name: "PayloadTooLargeError", message: "The body is larger than the limit of 100 kB." },
	"encoding.unsupported": { code: 415, name: "UnsupportedMediaTypeError", message: "The body's content encoding is not supported." },
	"charset.unsupported": { code: 415, name: "UnsupportedMediaTypeError", message: "The body's charset is not supported." },
	"request.aborted": { code: 400, name: "BadRequestError", message: "The request was aborted." },
};

type Problem = { field?: unknown; message?: unknown; type?: unknown; value?: unknown };

/**
 * A 422's `data` as a client sees it: each field's problem (field, message, type, and the value
 * where it is safe to echo), without the node and action Moleculer adds; its message, theirs.
 */
function validationError(message: string, data: unknown): Pick<HttpError, "message" | "data"> {
	if (!Array.isArray(data) || data.length === 0) return { message, data };
	const problems = (data as Problem[]).map(({ field, message, type, value }) => ({
		field,
		message,
		type,
		...(value !== undefined ? { value } : {}),
	}));
	return { message: problems.map(p => `${String(p.message).replace(/\.$/, "")}.`).join(" "), data: problems };
}

// For errors raised without a type of their own.
const DEFAULT_TYPES: Record<number, string> = { 404: "NOT_FOUND", 429: "RATE_LIMIT_EXCEEDED" };

/**
 * What the gateway answers for an error: a client error as it is, 503 for a service that cannot
 * be reached, and for anything unexpected a bare 500 that carries no internals. Errors from
 * other nodes arrive rebuilt from their fields (not always as their own class), so they are
 * read by their fields.
 */
export function toHttpError(err: unknown): HttpError {
	const { name = "Error", message = "", code, type, data } = (err ?? {}) as Partial<HttpError>;
	const bodyError = typeof type === "string" ? BODY_ERRORS[type] : undefined;
	if (bodyError) return { ...bodyError, type: type as string };
	// Without `data`: Moleculer's carries the internal action and the node ID (which may hold a pid).
	if (UNAVAILABLE.has(name)) {
		return {
			name: "ServiceUnavailableError",
			message: "A service needed for this request is unavailable. Try again later.",
			code: 503,
			type: "SERVICE_UNAVAILABLE",
		};
	}
	if (typeof code === "number" && ((code >= 400 && code < 500) || code === 503)) {
		if (code === 422 && name === "ValidationError")
			return { name, code, type: type || "VALIDATION_ERROR", ...validationError(message, data) };
		return { name, message, code, type: type || DEFAULT_TYPES[code] || "", data };
	}
	return { name: "InternalServerError", message: "Internal server error.", code: 500, type: "INTERNAL_ERROR" };
}
