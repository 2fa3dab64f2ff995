export const WORKFLOW_STATUSES = ["new", "running", "completed", "failed"] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/** A workflow as stored by the workflows service. */
export interface Workflow {
	id: number;
	name: string;
	buildingId: number;
	status: WorkflowStatus;
	/** nodeID of the workflows node that created it */
	handledBy: string;
	createdAt: string;
	updatedAt: string;
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

/** Emitted when a workflow is deleted: its building no longer has it. */
export interface WorkflowRemoved {
	workflowId: number;
	buildingId: number;
}
