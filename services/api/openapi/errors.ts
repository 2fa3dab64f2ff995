/**
 * The error statuses of an operation, each with the one error body (`Error`). Which apply is read
 * from the route: a key can be missing; a body can be malformed, too large or of another type;
 * declared parameters can be invalid; a rate limit can be reached; a call to another service can
 * find none.
 */

// The longer descriptions, so that the table below reads one status a line.
const UNAUTHORIZED = "API_KEYS is set and the request carries none of its keys; `WWW-Authenticate` names the scheme (`UNAUTHORIZED`).";
const CONFLICT = "A unique constraint would break, or the Idempotency-Key is still in use (`IDEMPOTENCY_KEY_IN_USE`).";
const INVALID =
	"Invalid parameters, or a JSON body that is not an object; `data` lists each field with its problem: `field`, `message`, `type`, and `value` when it is short enough to echo (`VALIDATION_ERROR`).";
const UNAVAILABLE =
	"A needed service or database is unavailable, the node is overloaded, or it is not ready; try again after `Retry-After` seconds (with an `Idempotency-Key`, a retried POST never makes a second building) (`SERVICE_UNAVAILABLE`, `DATABASE_UNAVAILABLE`, `TRANSACTION_CONFLICT`, `OVERLOADED`, `WORKFLOWS_UNAVAILABLE`, `NOT_READY`).";

/** Each documented status, as the README's error table describes it. */
export const ERROR_STATUSES: Record<number, { name: string; description: string }> = {
	400: { name: "BadRequest", description: "The body does not parse as JSON (`type: entity.parse.failed`)." },
	401: { name: "Unauthorized", description: UNAUTHORIZED },
	404: { name: "NotFound", description: "No such id (`NOT_FOUND`)." },
	409: { name: "Conflict", description: CONFLICT },
	413: { name: "PayloadTooLarge", description: "The body is over 100 kB (`type: entity.too.large`)." },
	415: { name: "UnsupportedMediaType", description: "The body is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`)." },
	422: { name: "ValidationError", description: INVALID },
	429: { name: "RateLimitExceeded", description: "Over RATE_LIMIT requests per minute from this address (`RATE_LIMIT_EXCEEDED`)." },
	500: { name: "InternalServerError", description: "An unexpected error; the body carries no internals (`INTERNAL_ERROR`)." },
	503: { name: "ServiceUnavailable", description: UNAVAILABLE },
};

export interface RouteFacts {
	method: string;
	/** The action declares parameters. */
	hasParams: boolean;
	/** Its route limits requests per client. */
	rateLimited: boolean;
	/** The action runs in the gateway itself and calls no other service. */
	local: boolean;
	/** It needs an API key (API_KEYS is set). */
	keyed: boolean;
	/** The action's own errors (operations.ts). */
	own: number[];
}

export function errorStatuses({ method, hasParams, rateLimited, local, keyed, own }: RouteFacts): number[] {
	const statuses = new Set(own);
	if (keyed) statuses.add(401);
	if (method === "POST" || method === "PATCH" || method === "PUT") [400, 413, 415].forEach(s => statuses.add(s));
	if (hasParams) statuses.add(422);
	if (rateLimited) statuses.add(429);
	statuses.add(500);
	if (!local) statuses.add(503);
	return [...statuses].sort((a, b) => a - b);
}

/** components/responses: one per status used, all with the error body. */
export function errorResponses(used: Iterable<number>): Record<string, object> {
	return Object.fromEntries(
		[...new Set(used)]
			.sort()
			.map(status => ERROR_STATUSES[status])
			.map(({ name, description }) => [
				name,
				{ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
			]),
	);
}
