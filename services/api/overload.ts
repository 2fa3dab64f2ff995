import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors } from "moleculer";

/**
 * 503 before anything is written: too many requests are in flight on the gateway, the queue in
 * front of a group commit is full, or a call waited in it past its deadline. The gateway adds
 * `Retry-After`.
 */
export class OverloadedError extends Errors.MoleculerRetryableError {
	constructor() {
		super("The service is overloaded. Try again shortly.", 503, "OVERLOADED");
		this.name = "ServiceUnavailableError";
	}
}

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
