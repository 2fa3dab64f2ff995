/**
 * What the code cannot say about each action reached over HTTP: a summary, the success statuses
 * with the schema of their body (the shared schemas in types/, the same that type the actions),
 * the errors of its own, and the parameters that arrive as headers. Every other error status is
 * derived from the route (see errors.ts).
 */
import {
	buildingSchema,
	buildingWithWorkflowSchema,
	clusterViewSchema,
	healthSchema,
	httpErrorSchema,
	pageSchema,
	readySchema,
	workflowSchema,
} from "../../../types";

/** The schemas published under components/schemas, by name; a body names one of them. */
export const SCHEMAS = {
	Building: buildingSchema,
	BuildingWithWorkflow: buildingWithWorkflowSchema,
	Workflow: workflowSchema,
	BuildingsPage: pageSchema(buildingSchema),
	WorkflowsPage: pageSchema(workflowSchema),
	Error: httpErrorSchema,
	Health: healthSchema,
	Ready: readySchema,
	ClusterView: clusterViewSchema,
	OpenApiDocument: { type: "object", description: "This document." },
} as const;

export type SchemaName = keyof typeof SCHEMAS;

export interface OperationSpec {
	summary: string;
	/** Success status: description and body. */
	success: Record<number, { description: string; body: SchemaName }>;
	/** Error statuses of this action beyond those every route of its kind has. */
	errors?: number[];
	/** Parameters the gateway takes from a header (see onBeforeCall in services/api.service.ts). */
	headers?: Record<string, { name: string; description: string }>;
}

const ok = (description: string, body: SchemaName) => ({ 200: { description, body } });

export const OPERATIONS: Record<string, OperationSpec> = {
	"buildings.create": {
		summary: "Create a building and its first workflow",
		success: {
			201: { description: "Created, with its workflow (`workflowStatus: created`). `Location` names it.", body: "BuildingWithWorkflow" },
			202: {
				description:
					"Saved; the workflows service did not answer in time, so `workflow` is null and `workflowStatus` is `pending`: the workflow follows.",
				body: "BuildingWithWorkflow",
			},
		},
		errors: [409],
		headers: {
			idempotencyKey: {
				name: "Idempotency-Key",
				description:
					"1-200 characters. A repeat with the same key and body gets the first answer (same status and body); with another body, 422; while the first is still handled, 409 IDEMPOTENCY_KEY_IN_USE.",
			},
		},
	},
	"buildings.list": { summary: "One page of buildings", success: ok("A page of buildings.", "BuildingsPage") },
	"buildings.get": { summary: "One building, with its workflow", success: ok("The building.", "BuildingWithWorkflow"), errors: [404] },
	"buildings.update": { summary: "Rename a building", success: ok("The renamed building.", "Building"), errors: [404] },
	"buildings.remove": { summary: "Delete a building and its workflows", success: ok("The deleted building.", "Building"), errors: [404] },
	"workflows.list": { summary: "One page of workflows", success: ok("A page of workflows.", "WorkflowsPage") },
	"workflows.get": { summary: "One workflow", success: ok("The workflow.", "Workflow"), errors: [404] },
	"workflows.update": { summary: "Rename a workflow or change its status", success: ok("The workflow.", "Workflow"), errors: [404] },
	"workflows.remove": { summary: "Delete a workflow", success: ok("The deleted workflow.", "Workflow"), errors: [404] },
	"api.health": { summary: "Liveness of the gateway node", success: ok("This gateway node is up.", "Health") },
	"api.ready": {
		summary: "Readiness: transporter, buildings database, a workflows node",
		success: ok("Ready.", "Ready"),
		errors: [503],
	},
	"api.openapi": { summary: "This OpenAPI document", success: ok("The document.", "OpenApiDocument") },
	"api.cluster": {
		summary: "The cluster as the gateway sees it",
		success: ok("Nodes, NATS, creations, outbox, latest buildings.", "ClusterView"),
	},
};
