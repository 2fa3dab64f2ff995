/**
 * Checks of a REST request made before its action is called: the body's media type and shape,
 * and the Idempotency-Key travelling as a parameter.
 */
import type { IncomingMessage } from "node:http";
import { Errors } from "moleculer";
import type { IncomingRequest } from "moleculer-web";
import { shown } from "../../broker/validator";

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
