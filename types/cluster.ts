import type { FromSchema } from "json-schema-to-ts";
import { BUILDING_WORKFLOW_STATUSES } from "./building";

const nullable = <const T extends string>(type: T) => ({ type: [type, "null"] }) as const;
const names = { type: "array", items: { type: "string" } } as const;

/** An object schema whose properties are all required and none other is allowed: each name written once. */
const closedObject = <const P extends Record<string, unknown>, const E extends object = object>(properties: P, extra?: E) =>
	({
		type: "object",
		...(extra as E),
		properties,
		required: Object.keys(properties) as (keyof P & string)[],
		additionalProperties: false,
	}) as const;

const nodeSchema = closedObject({
	id: { type: "string" },
	services: names,
	available: { type: "boolean" },
	uptime: { ...nullable("number"), description: "seconds; null if the node did not answer" },
	cpu: { ...nullable("number"), description: "% of the host's CPU, from its heartbeats" },
	memory: { ...nullable("integer"), description: "resident set size of its process, bytes" },
	heartbeatAge: { ...nullable("number"), description: "seconds since its last heartbeat (heartbeats come every 10 s by default)" },
	natsServer: {
		...nullable("string"),
		description: "the NATS server it is connected to: the client address it reports (host:port), else its server from the NATS monitor",
	},
});

const natsSchema = closedObject(
	{
		monitor: names,
		error: { ...nullable("string"), description: "why the monitor could not be read" },
		servers: names,
		subject: { type: "string", description: "the subject of workflows.create requests" },
		queueSubscribers: { ...names, description: "nodes holding a queue subscription to workflows.create" },
		registryNodes: { ...names, description: "workflows nodes in the Moleculer registry" },
		onlyInNats: { ...names, description: "subscribed, yet not in the registry: they still receive requests" },
		onlyInRegistry: { ...names, description: "in the registry, yet not subscribed" },
	},
	{ description: "What the NATS servers see, from their monitoring endpoint (NATS_MONITOR_URL)." },
);

const creationsSchema = closedObject(
	{
		window: { type: "number", description: "seconds the rates are measured over" },
		perSecond: { type: "number" },
		nodes: {
			type: "array",
			items: closedObject({
				nodeID: { type: "string" },
				total: { type: "integer", description: "since the node started" },
				perSecond: { type: "number" },
				share: { ...nullable("number"), description: "0 to 1; null with no creation in the window" },
			}),
		},
	},
	{ description: "workflows.create handled, over the last seconds (window)" },
);

/** The buildings outbox: jobs not done yet, and how long the oldest has waited. */
export const outboxStatsSchema = closedObject({
	backlog: { type: "integer" },
	oldestAge: { ...nullable("number"), description: "ms; null when empty" },
});

const latestSchema = {
	type: "array",
	items: closedObject({
		id: { type: "integer" },
		name: { type: "string" },
		workflowStatus: { type: "string", enum: BUILDING_WORKFLOW_STATUSES },
		workflowId: nullable("integer"),
		createdAt: { type: "string", format: "date-time" },
	}),
} as const;

/** `GET /api/cluster`: the cluster as the gateway sees it, for the /cluster page and scripts. */
export const clusterViewSchema = closedObject({
	at: { type: "string", format: "date-time" },
	gateway: { type: "string", description: "nodeID of the gateway that answered" },
	transporter: { type: "string" },
	nodes: { type: "array", items: nodeSchema },
	nats: { anyOf: [natsSchema, { type: "null" }] },
	creations: creationsSchema,
	outbox: { anyOf: [outboxStatsSchema, { type: "null" }] },
	latestBuildings: { anyOf: [latestSchema, { type: "null" }] },
});

export type ClusterView = FromSchema<typeof clusterViewSchema>;
export type ClusterNode = FromSchema<typeof nodeSchema>;
export type NatsView = FromSchema<typeof natsSchema>;
export type Creations = FromSchema<typeof creationsSchema>;
export type OutboxStats = FromSchema<typeof outboxStatsSchema>;
