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
