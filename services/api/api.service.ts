import type { IncomingMessage, ServerResponse } from "node:http";
import { Service as MoleculerService, type Context } from "moleculer";
import { Action, Service } from "moleculer-decorators";
import ApiGateway, { type ApiSettingsSchema, type Route } from "moleculer-web";
import type { BuildingsHealth, BuildingWithWorkflow, Check, Health, Ready } from "../../types";
import { settings } from "../../config/settings";
import { toHttpError, type HttpError } from "./http-errors";
import { natsServers, nodesRunning } from "../../broker/registry";
import { ClusterMixin, clusterRoutes } from "./cluster";
import { DocsMixin, docsRoutes } from "./docs";
import { MethodsMixin } from "../../framework/gateway-methods";
import { QuietErrorsMixin } from "../../framework/quiet-gateway-errors";
import { RepeatSummary } from "../../broker/repeat-summary";
import { apiKeyCheck, checkBody, inFlightLimit, takeIdempotencyKey, type GatewayRequest } from "./guards";

type ResponseMeta = { $statusCode?: number; $location?: string; $responseHeaders?: Record<string, string> };
type Gateway = MoleculerService & { unavailable?: RepeatSummary };

const { port, host, corsOrigins, rateLimit, maxInFlight, apiKeys } = settings.gateway;
const checkApiKey = apiKeyCheck(apiKeys);

// Probes are not tracked: Moleculer keeps a call that timed out tracked, and a stopping gateway
// would wait its full shutdown timeout for a probe of a node that had died.
const PROBE = { retries: 0, tracking: false };

/** moleculer-web's settings: where it listens, CORS, and the routes that reach the cluster. */
const gatewaySettings: ApiSettingsSchema = {
	port,
	ip: host,
	// Off unless CORS_ORIGINS lists the origins allowed to call from a browser ("*" for any).
	cors:
		corsOrigins.length > 0
			? {
					origin: [...corsOrigins],
					methods: ["GET", "POST", "PATCH", "DELETE"],
					allowedHeaders: ["Content-Type", "Idempotency-Key", "Authorization", "X-API-Key"],
					maxAge: 3600,
				}
			: undefined,
	routes: [
		{
			// Named, as the other routes on /api are: moleculer-web would take them for one route.
			name: "rest",
			path: "/api",
			// Only the aliases are reachable: no `/api/<service>/<action>` fallback.
			mappingPolicy: "restrict",
			autoAliases: false,
			aliases: {
				"POST /buildings": "buildings.create",
				"GET /buildings": "buildings.list",
				"GET /buildings/:id": "buildings.get",
				"PATCH /buildings/:id": "buildings.update",
				"DELETE /buildings/:id": "buildings.remove",
				"GET /buildings/:buildingId/workflows": "workflows.list",
				"GET /workflows": "workflows.list",
				"GET /workflows/:id": "workflows.get",
				"PATCH /workflows/:id": "workflows.update",
				"DELETE /workflows/:id": "workflows.remove",
				"GET /health": "api.health",
				"GET /health/ready": "api.ready",
			},
			// Not strict: JSON that is not an object is a 422 that says so (guards.ts), not a parse error.
			bodyParsers: { json: { limit: "100kb", strict: false }, urlencoded: false },
			// Past GATEWAY_MAX_IN_FLIGHT requests at once, a 503 before any call is made.
			use: [inFlightLimit(maxInFlight, url => url.startsWith("/health"))],
			// Off unless RATE_LIMIT sets the requests per minute allowed to one client address.
			rateLimit:
				rateLimit > 0
					? { window: 60_000, limit: rateLimit, headers: true, key: (req: IncomingMessage) => req.socket.remoteAddress ?? "" }
					: undefined,
			onBeforeCall(_ctx: Context, _route: Route, req: GatewayRequest) {
				// With API_KEYS set, only liveness answers without a key (probes carry none).
				if (req.$action?.name !== "api.health") checkApiKey(req);
				checkBody(req);
				takeIdempotencyKey(req);
			},
			onAfterCall(
				ctx: Context<unknown, ResponseMeta>,
				_route: unknown,
				req: GatewayRequest,
				_res: unknown,
				data: Partial<BuildingWithWorkflow>,
			) {
				if (req.$action?.name === "buildings.create") {
					// 202: the building is saved and its workflow will follow.
					ctx.meta.$statusCode = data.workflowStatus === "pending" ? 202 : 201;
					// $location is what moleculer-web expects with a 201; the header also serves the 202.
					ctx.meta.$location = `/api/buildings/${data.id}`;
					ctx.meta.$responseHeaders = { Location: ctx.meta.$location };
				}
				return data;
			},
		},
		...docsRoutes,
		...clusterRoutes,
	],
	logRequest: "debug",
	logResponse: "debug",
	log4XXResponses: false,
	onError(this: Gateway, _req: IncomingMessage, res: ServerResponse, err: Error) {
		const body = toHttpError(err);
		// A 503 is expected (a dependency down, overload): one WARN line per cause and second. A 500 is a bug: its stack.
		if (body.code === 503) this.unavailable?.note(`503 ${body.type}: ${body.message}`);
		else if (body.code >= 500) this.logger.error("Request failed:", err);
		res.setHeader("Content-Type", "application/json; charset=utf-8");
		// Every 503 is worth trying again: say when.
		if (body.code === 503) res.setHeader("Retry-After", "1");
		// A route that asks for another scheme has set its own challenge.
		if (body.code === 401 && !res.hasHeader("WWW-Authenticate")) res.setHeader("WWW-Authenticate", "Bearer");
		res.writeHead(body.code);
		res.end(JSON.stringify(body));
	},
};

/**
 * The REST gateway: only the routes below reach the cluster. Errors are answered as JSON
 * `{ name, message, code, type, data }`, never with a stack trace.
 */
@Service({
	name: "api",
	// The OpenAPI document and its page, the cluster page and its JSON: routes and actions of their own.
	mixins: [MethodsMixin, QuietErrorsMixin, ApiGateway, DocsMixin, ClusterMixin],
	actions: {
		// A retry would replay the HTTP request after its body has been read; calls made on its
		// behalf are retried (or not) on their own.
		rest: { retryPolicy: { enabled: false } },
	},
	settings: gatewaySettings,
})
export default class ApiService extends MoleculerService {
	/** The 503s answered, summarised (onError). */
	declare private unavailable: RepeatSummary;

	created(): void {
		this.unavailable = new RepeatSummary(line => this.logger.warn(line));
	}

	stopped(): void {
		this.unavailable.stop();
	}

	/** Liveness of this gateway node. Open without an API key (probes carry none), so it says no more than this. */
	@Action()
	health(): Health {
		return { status: "ok", uptime: process.uptime() };
	}

	/**
	 * Readiness: the transporter is connected, the buildings database answers, a workflows node
	 * answers a round trip within 1 s (a node that hung stays registered until its heartbeats
	 * time out). Also lists the nodes this gateway sees, the workflows nodes the buildings node
	 * sees, and the NATS server each node is on.
	 */
	@Action()
	async ready(ctx: Context): Promise<Ready | HttpError> {
		// Asked only once discovered: calling a service the registry lacks logs a warning, and a
		// probe polling a starting cluster would fill the log with them.
		const discovered = nodesRunning(this.broker, "buildings").length > 0;
		const buildings = discovered
			? await ctx.call<BuildingsHealth, object>("buildings.health", {}, { ...PROBE, timeout: 2000 }).catch(() => undefined)
			: undefined;
		const checks: Record<string, Check> = {
			transporter: this.broker.transit?.connected ? "ok" : "failing",
			buildingsDatabase: buildings ? "ok" : "failing",
			workflows: (await this.answering(ctx, nodesRunning(this.broker, "workflows"))).length > 0 ? "ok" : "failing",
		};
		const failing = Object.keys(checks).filter(name => checks[name] !== "ok");
		if (failing.length > 0) {
			// Answered, not thrown: a probe polling a starting node is not an error worth a stack trace in the log.
			(ctx.meta as ResponseMeta).$statusCode = 503;
			return {
				name: "ServiceUnavailableError",
				message: `Not ready: ${failing.join(", ")}.`,
				code: 503,
				type: "NOT_READY",
				data: { checks },
			};
		}
		// The nodes this gateway sees, and the workflows nodes the buildings node can send work to.
		// natsServers: the NATS server each node is on (on NATS only).
		const nodes = nodesRunning(this.broker, "$node");
		return { status: "ready", checks, nodes, workflowsNodes: buildings!.workflowsNodes, natsServers: natsServers(this.broker) };
	}

	/** The nodes of `nodeIDs` that answer a round trip within 1 s. */
	async answering(ctx: Context, nodeIDs: string[]): Promise<string[]> {
		const answers = await Promise.all(
			nodeIDs.map(nodeID =>
				ctx.call("$node.health", {}, { ...PROBE, nodeID, timeout: 1000 }).then(
					() => nodeID,
					() => undefined,
				),
			),
		);
		return answers.filter(nodeID => nodeID !== undefined);
	}
}
