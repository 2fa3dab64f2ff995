import type { Context, Middleware, Service } from "moleculer";

/**
 * A broker middleware: a call that a service of `callers` (by full name) makes to a service of its own node runs
 * in the node, not through NATS. With NATS queue groups choosing the node (`disableBalancer`),
 * Moleculer sends every call through the transporter, even one whose endpoint is its own node's;
 * so the gateway and the buildings service in one node would still cross NATS twice for each
 * request. Calls made by other services are left as they are: `workflows.create`, made by the
 * buildings service, always goes to the queue group, whichever node could take it.
 *
 * Relies on Moleculer 0.15.2: with `disableBalancer`, a call goes to its endpoint's
 * `remoteHandler` (transit's request, wrapped by the `remoteAction` middlewares, this one
 * innermost), even for an endpoint of this node, whose `handler` is the local one (wrapped by
 * the `localAction` middlewares); and moleculer-web picks the endpoint of an alias with the
 * built-in balancer, this node's first (`registry.preferLocal`).
 * test/integration/framework-internals.spec.ts breaks if either changes.
 */
export function LocalFirst(callers: readonly string[]): Middleware {
	return {
		name: "LocalFirst",
		remoteAction(next) {
			return function (this: Service, ctx: Context) {
				const { endpoint, caller } = ctx;
				const local = endpoint?.local && "action" in endpoint ? endpoint.action.handler : undefined;
				if (local && caller !== null && callers.includes(caller)) return local.call(this, ctx);
				return next.call(this, ctx);
			};
		},
	};
}
