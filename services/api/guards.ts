/**
 * What a REST request must pass before its action runs, in the order the gateway checks it: the
 * in-flight limit (a 503 past GATEWAY_MAX_IN_FLIGHT), the API key (a 401 without one of
 * API_KEYS), the body's media type and shape (415, 422), and the Idempotency-Key header, which
 * travels on as a parameter.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors } from "moleculer";
import type { IncomingRequest } from "moleculer-web";
import { OverloadedError } from "../../broker/errors";
import { shown } from "../../broker/validator";

/**
 * A gateway middleware: at most `max` requests in flight on this node; past that, an immediate
 * 503 before any call is made. Health checks always pass, so a probe sees a busy node alive.
 */
export function inFlightLimit(max: number, exempt: (url: string) => boolean) {
	let inFlight = 0;
	return (req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void): void => {
		if (exempt(req.url ?? "")) return next();
		if (inFlight >= max) return next(new OverloadedError());
		inFlight++;
		res.once("close", () => inFlight--);
		next();
	};
}

/**
 * The key a request carries: `Authorization: Bearer <key>`, else the password of HTTP Basic
 * (any user name: what a browser sends when a page asks for one), else `X-API-Key: <key>`.
 */
function keyOf(req: IncomingMessage): string | undefined {
	const authorization = req.headers.authorization ?? "";
	const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
	const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)?.[1];
	const password = basic && /^[^:]*:(.+)$/.exec(Buffer.from(basic, "base64").toString("utf8"))?.[1];
	const header = req.headers["x-api-key"];
	return bearer ?? (password || undefined) ?? (typeof header === "string" ? header.trim() : undefined);
}

// Compared as SHA-256 digests, which have one length: timingSafeEqual then takes as long
// whichever byte differs, and nothing about a key's length or content leaks through timing.
const digest = (key: string) => createHash("sha256").update(key).digest();

/**
 * A check of the API keys a gateway accepts (API_KEYS): with none configured, every request
 * passes; otherwise one without a listed key is refused with a 401.
 */
export function apiKeyCheck(keys: readonly string[]): (req: IncomingMessage) => void {
	const accepted = keys.map(digest);
	return req => {
		if (accepted.length === 0) return;
		const given = keyOf(req);
		const presented = digest(given ?? "");
		// Every key is compared, so the time taken does not tell which one came close.
		const matches = accepted.reduce((found, key) => timingSafeEqual(key, presented) || found, false);
		if (given && matches) return;
		throw new Errors.MoleculerClientError(
			"This API needs a key: send it as Authorization: Bearer <key> or X-API-Key: <key>.",
			401,
			"UNAUTHORIZED",
		);
	};
}

/** A request as moleculer-web hands it to a route's hooks, with the body its parser read. */
export type GatewayRequest = IncomingRequest & { body?: unknown };

/** Whether a request carries a body (a POST or PATCH may come without one). */
function hasBody(req: IncomingMessage): boolean {
	return Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
}

const invalid = (field: string, type: string, message: string) =>
	new Errors.ValidationError(message, "VALIDATION_ERROR", [{ field, type, message }]);

/**
 * 415 for a body that is not JSON. 422 for JSON that is not an object (`"HQ"`, `[...]`, `null`):
 * it parsed, so the syntax is fine (400 stays for JSON that does not parse); it is the content
 * that cannot be used, as with a field of the wrong type. `field` is "", the body itself.
 */
export function checkBody(req: GatewayRequest): void {
	if (!hasBody(req)) return;
	if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
		throw new Errors.MoleculerClientError("Send the body as application/json.", 415, "UNSUPPORTED_MEDIA_TYPE");
	}
	const { body } = req;
	if (body === null || typeof body !== "object" || Array.isArray(body)) {
		throw invalid("", "object", `The body must be a JSON object of fields; got ${shown(body)}`);
	}
}

/**
 * The Idempotency-Key header travels as a parameter, so the action validates it like any other;
 * a client's own `idempotencyKey` parameter is refused: the key comes from the header only.
 */
export function takeIdempotencyKey(req: GatewayRequest): void {
	if (req.$action?.name !== "buildings.create") return;
	if ("idempotencyKey" in req.$params) {
		throw invalid(
			"idempotencyKey",
			"objectStrict",
			'"idempotencyKey" is not a field of this request: send the key as the Idempotency-Key header',
		);
	}
	const key = req.headers["idempotency-key"];
	if (key !== undefined) req.$params.idempotencyKey = key;
}
