import type { FromSchema } from "json-schema-to-ts";

export const WORKFLOW_STATUSES = ["new", "running", "completed", "failed"] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/**
 * A workflow as stored by the workflows service. The JSON Schema is the one source: the type
 * below is derived from it, and the OpenAPI document publishes it as it is.
 */
export const workflowSchema = {
	type: "object",
	properties: {
		id: { type: "integer" },
		name: { type: "string" },
		buildingId: { type: "integer" },
		status: { type: "string", enum: WORKFLOW_STATUSES },
		handledBy: { type: "string", description: "nodeID of the workflows node that created it" },
		createdAt: { type: "string", format: "date-time" },
		updatedAt: { type: "string", format: "date-time" },
	},
	required: ["id", "name", "buildingId", "status", "handledBy", "createdAt", "updatedAt"],
	additionalProperties: false,
} as const;

export type Workflow = FromSchema<typeof workflowSchema>;

/** A workflow with its version: the count of its changes, by which a copy of it takes only newer ones. */
export type VersionedWorkflow = Workflow & { version: number };

/**
 * A change to a workflow, as the workflows service reports it to the buildings service: the
 * workflow as it now is, or null once it is deleted.
 */
export interface WorkflowChange {
	buildingId: number;
	workflowId: number;
	workflow: VersionedWorkflow | null;
}

export interface ApplyWorkflowChangesParams {
	changes: WorkflowChange[];
}

export interface CreateWorkflowParams {
	name: string;
	buildingId: number;
	/**
	 * Makes the call idempotent: a second call with the same key returns the
	 * workflow the first one created instead of inserting another.
	 */
	requestKey?: string;
}

export interface UpdateWorkflowParams {
	id: number;
	name?: string;
	status?: WorkflowStatus;
}

export interface WorkflowIdParams {
	id: number;
}

export interface RemoveWorkflowsByBuildingParams {
	buildingId: number;
}

export interface ListWorkflowsParams {
	page?: number;
	pageSize?: number;
	sort?: string;
	buildingId?: number;
}
