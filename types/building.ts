import type { Workflow } from "./workflow";

/**
 * Where the building's first workflow is: "pending" (it will be created shortly), "created", or
 * "removed" (it was deleted since; `workflowId` is then null).
 */
export type BuildingWorkflowStatus = "pending" | "created" | "removed";

/** A building as stored by the buildings service. */
export interface Building {
	id: number;
	name: string;
	workflowStatus: BuildingWorkflowStatus;
	/** The building's first workflow, once created. */
	workflowId: number | null;
	createdAt: string;
	updatedAt: string;
}

/** A building with its first workflow embedded (null while pending). */
export interface BuildingWithWorkflow extends Building {
	workflow: Workflow | null;
}

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
