import type { FromSchema } from "json-schema-to-ts";

/** The JSON body of every error answer (the type is derived from the schema the OpenAPI document publishes). */
export const httpErrorSchema = {
	type: "object",
	properties: {
		name: { type: "string", examples: ["ValidationError"] },
		message: { type: "string" },
		code: { type: "integer", description: "The HTTP status." },
		type: { type: "string", examples: ["VALIDATION_ERROR"] },
		data: { description: "Details: for a 422, each field with its problem." },
	},
	required: ["name", "message", "code", "type"],
	additionalProperties: false,
} as const;

export type HttpError = FromSchema<typeof httpErrorSchema>;

const CHECKS = { type: "string", enum: ["ok", "failing"] } as const;

/** `GET /api/health`: liveness of one gateway node. */
export const healthSchema = {
	type: "object",
	properties: { status: { const: "ok" }, uptime: { type: "number", description: "seconds" } },
	required: ["status", "uptime"],
	additionalProperties: false,
} as const;

/** `GET /api/health/ready` when ready. */
export const readySchema = {
	type: "object",
	properties: {
		status: { const: "ready" },
		checks: { type: "object", additionalProperties: CHECKS },
		nodes: { type: "array", items: { type: "string" } },
		workflowsNodes: { type: "array", items: { type: "string" } },
		natsServers: {
			type: "object",
			additionalProperties: { type: "string" },
			description: "On NATS: the server each node is connected to, by node ID.",
		},
	},
	required: ["status", "checks", "nodes", "workflowsNodes", "natsServers"],
	additionalProperties: false,
} as const;

export type Health = FromSchema<typeof healthSchema>;
export type Ready = FromSchema<typeof readySchema>;
export type Check = FromSchema<typeof CHECKS>;
