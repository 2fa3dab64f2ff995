import { Errors, type Context, type ServiceBroker } from "moleculer";

export interface IdempotentCallOptions {
	/** When the caller stops waiting (ms since the epoch): time spent queued before counts too. */
	deadline: number;
	/** The longest one attempt may wait for its answer. */
	attemptMs: number;
	parentCtx?: Context;
}

/**
 * Calls an action that is safe to repeat, sending the request again each time an attempt times
 * out, until the deadline. On NATS queue groups each attempt goes to whichever node takes it, so
 * a request that went to a node that hung (alive, not answering) is soon sent again, and most
 * likely served by another node, instead of waiting out the whole deadline.
 *
 * Not tracked: Moleculer keeps a call that timed out tracked, and a stopping node would wait its
 * full shutdown timeout for it. The action or outbox pass that calls this is tracked, and waited for.
 */
export async function callIdempotent<T, P>(broker: ServiceBroker, action: string, params: P, options: IdempotentCallOptions): Promise<T> {
	const { deadline, attemptMs, parentCtx } = options;
	for (;;) {
		const left = deadline - Date.now();
		if (left <= 0) throw new Errors.RequestTimeoutError({ action, nodeID: "any" });
		try {
			return await broker.call<T, P>(action, params, { timeout: Math.min(attemptMs, left), parentCtx, tracking: false });
		} catch (err) {
			if (!(err instanceof Errors.RequestTimeoutError)) throw err;
		}
	}
}
