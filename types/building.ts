import type { Workflow } from "./workflow";

/** A building as stored by the buildings service. */
export interface Building {
	id: number;
	name: string;
	createdAt: string;
	updatedAt: string;
}

/** What `buildings.create` returns: the building with the workflow created for it. */
export interface BuildingWithWorkflow extends Building {
	workflow: Workflow;
}

export interface CreateBuildingParams {
	name: string;
	workflowName?: string;
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
