import { Errors, type Context, type ServiceBroker } from "moleculer";

export interface IdempotentCallOptions {
	/** When the caller stops waiting (ms since the epoch): time spent queued before counts too. */
	deadline: number;
	/** How long to wait for an answer before sending the request once more. */
	attemptMs: number;
	parentCtx?: Context;
}

/**
 * Calls an action that is safe to repeat, and sends the same request again each time `attemptMs`
 * pass without an answer, keeping the earlier ones open: the first answer wins. On NATS queue
 * groups each copy goes to whichever node takes it, so a request that went to a node that hung
 * (alive, subscribed, not answering) is served by another one a moment later, while a node that
 * is merely slow may still answer its own. Fails with the first error that is not a timeout, or
 * at the deadline.
 *
 * Not tracked: Moleculer keeps a call that timed out tracked, and a stopping node would wait its
 * full shutdown timeout for it. The action or outbox pass that calls this is tracked, and waited for.
 */
export function callIdempotent<T, P>(broker: ServiceBroker, action: string, params: P, options: IdempotentCallOptions): Promise<T> {
	const { deadline, attemptMs, parentCtx } = options;
	return new Promise<T>((resolve, reject) => {
		let done = false;
		let open = 0;
		let nextCopy: NodeJS.Timeout | undefined;
		const finish = (settle: () => void) => {
			if (done) return;
			done = true;
			clearTimeout(nextCopy);
			settle();
		};
		const send = () => {
			const left = deadline - Date.now();
			if (done) return;
			if (left <= 0) {
				if (open === 0) finish(() => reject(new Errors.RequestTimeoutError({ action, nodeID: "any" })));
				return;
			}
			open++;
			broker.call<T, P>(action, params, { timeout: left, parentCtx, tracking: false }).then(
				answer => finish(() => resolve(answer)),
				(err: Error) => {
					open--;
					// Every copy ends by the deadline: the last timeout is the answer.
					if (!(err instanceof Errors.RequestTimeoutError) || open === 0) finish(() => reject(err));
				},
			);
			nextCopy = setTimeout(send, attemptMs);
		};
		send();
	});
}

/**
 * The callee's side of `callIdempotent`: when its caller stops waiting (ms since the epoch).
 * Moleculer sends each call's timeout with the request, and `callIdempotent` sets it to the time
 * left to its deadline, so a handler can drop work its caller no longer waits for. Undefined for
 * a call without a timeout.
 */
export function callerDeadline(ctx: Context): number | undefined {
	return ctx.options.timeout ? Date.now() + ctx.options.timeout : undefined;
}
