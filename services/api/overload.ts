import type { IncomingMessage, ServerResponse } from "node:http";
import { OverloadedError } from "../../broker/errors";

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
