import { Errors, type ActionHandler, type Context, type Middleware, type ServiceBroker } from "moleculer";

/**
 * A broker middleware that ends a call to another node when it times out. Moleculer's timeout
 * rejects the caller's promise but leaves the request pending underneath, until an answer that
 * may never come (the node died with it): it stays tracked, so a stopping node waits its full
 * shutdown timeout for it and logs GracefulStopTimeoutError, and it stays in the pending
 * requests, which grow. This one settles it at the same moment, and forgets it.
 *
 * Registered as a user middleware, it wraps the request inside Moleculer's own (the context
 * tracker among them), which then see it end.
 */
export function SettleTimedOutCalls(): Middleware {
	let broker: ServiceBroker | undefined;
	return {
		created(created: ServiceBroker) {
			broker = created;
		},
		remoteAction(handler: ActionHandler) {
			return (ctx: Context) => {
				const call = Promise.resolve(handler(ctx));
				const timeout = ctx.options.timeout ?? 0;
				if (timeout <= 0) return call;
				let timer: NodeJS.Timeout | undefined;
				const expired = new Promise<never>((_resolve, reject) => {
					timer = setTimeout(() => {
						broker?.transit?.removePendingRequest(ctx.id);
						reject(new Errors.RequestTimeoutError({ action: ctx.action?.name, nodeID: ctx.nodeID }));
					}, timeout);
				});
				return Promise.race([call, expired]).finally(() => clearTimeout(timer));
			};
		},
	};
}
