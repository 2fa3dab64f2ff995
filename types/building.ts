import type { FromSchema } from "json-schema-to-ts";
import { workflowSchema } from "./workflow";

/**
 * Where the building's first workflow is: "pending" (it will be created shortly), "created", or
 * "removed" (it was deleted since; `workflowId` is then null).
 */
export const BUILDING_WORKFLOW_STATUSES = ["pending", "created", "removed"] as const;
export type BuildingWorkflowStatus = (typeof BUILDING_WORKFLOW_STATUSES)[number];

const buildingProperties = {
	id: { type: "integer" },
	name: { type: "string" },
	workflowStatus: { type: "string", enum: BUILDING_WORKFLOW_STATUSES },
	workflowId: { type: ["integer", "null"], description: "The building's first workflow, once created." },
	createdAt: { type: "string", format: "date-time" },
	updatedAt: { type: "string", format: "date-time" },
} as const;
const buildingRequired = ["id", "name", "workflowStatus", "workflowId", "createdAt", "updatedAt"] as const;

/** A building as stored by the buildings service (the type is derived from the schema). */
export const buildingSchema = {
	type: "object",
	properties: buildingProperties,
	required: buildingRequired,
	additionalProperties: false,
} as const;

/** A building with its first workflow embedded (null while pending, removed or unreachable). */
export const buildingWithWorkflowSchema = {
	type: "object",
	properties: { ...buildingProperties, workflow: { anyOf: [workflowSchema, { type: "null" }] } },
	required: [...buildingRequired, "workflow"],
	additionalProperties: false,
} as const;

export type Building = FromSchema<typeof buildingSchema>;
export type BuildingWithWorkflow = FromSchema<typeof buildingWithWorkflowSchema>;

export interface CreateBuildingParams {
	name: string;
	workflowName?: string;
	/** Repeating a request with the same key returns the first answer instead of a new building. */
	idempotencyKey?: string;
}

export interface UpdateBuildingParams {
	id: number;
	name: string;
}

export interface BuildingIdParams {
	id: number;
}

export interface ListBuildingsParams {
	page?: number;
	pageSize?: number;
	sort?: string;
	search?: string;
}

/** What `buildings.health` answers. */
export interface BuildingsHealth {
	database: "ok";
	/** The workflows nodes this buildings node sees. */
	workflowsNodes: string[];
}
