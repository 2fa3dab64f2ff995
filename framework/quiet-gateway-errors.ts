/**
 * moleculer-web logs every error it answers outside 400-499 as an ERROR with its stack trace
 * ("Request error!") before the gateway's own `onError` runs: a 503 for a database out of reach,
 * expected and answered with Retry-After, then costs six log lines per request. Here its
 * `errorHandler` only answers; the gateway's `onError` decides what to log (a summarised WARN for
 * a 503, the stack for a 500).
 *
 * Relies on moleculer-web 0.11.0: `httpHandler` passes a failed request to the `errorHandler`
 * method, which logs and then calls `sendError` (which calls `onError`); this mixin comes before
 * ApiGateway in the gateway's `mixins`, so its method wins. test/e2e/fault-logs.spec.ts fails once
 * that changes (a "Request error!" line, or no 503 logged at all).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Service, ServiceSchema } from "moleculer";

type Gateway = Service & { sendError(req: IncomingMessage, res: ServerResponse, err: Error): void };

export const QuietErrorsMixin: Partial<ServiceSchema> = {
	methods: {
		errorHandler(this: Gateway, req: IncomingMessage, res: ServerResponse, err: Error) {
			this.sendError(req, res, err);
		},
	},
};
