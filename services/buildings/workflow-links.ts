import type { Context, Errors, ServiceSchema } from "moleculer";
import type { Sequelize } from "sequelize";
import { unlinkWorkflow } from "../models/buildings.statements";
import type { Building, BuildingWithWorkflow, Workflow, WorkflowIdParams, WorkflowRemoved } from "../types";

/** What the mixin gives a service. */
export interface WorkflowLinks {
	/** A building read from the database, with its workflow (null while pending, removed or unreachable). */
	withWorkflow(ctx: Context, id: number): Promise<BuildingWithWorkflow>;
}

interface Self {
	sequelize: Sequelize;
	_get(ctx: Context, params: { id: number }): Promise<unknown>;
	traced<T>(ctx: Context | undefined, name: string, work: () => Promise<T>): Promise<T>;
	forget(ids: number[]): Promise<void>;
	unlink(buildingId: number, workflowId: number): Promise<void>;
}

/**
 * Keeps each building's link to its workflow true. When a workflow is deleted, the workflows
 * service emits `workflows.removed`, and one buildings node marks the building: `workflowId`
 * null, `workflowStatus` "removed". Events can be lost (no buildings node was up), so a read
 * that finds the workflow gone repairs the link as well.
 */
export function WorkflowLinksMixin({ callTimeoutMs }: { callTimeoutMs: number }): Partial<ServiceSchema> {
	return {
		events: {
			"workflows.removed"(this: Self, ctx: Context<WorkflowRemoved>) {
				return this.unlink(ctx.params.buildingId, ctx.params.workflowId);
			},
		},
		methods: {
			async withWorkflow(this: Self, ctx: Context, id: number): Promise<BuildingWithWorkflow> {
				const building = (await this.traced(ctx, "get building", () => this._get(ctx, { id }))) as Building;
				const { workflowId } = building;
				if (workflowId === null) return { ...building, workflow: null };
				const options = { timeout: callTimeoutMs, tracking: false };
				const workflow = await ctx
					.call<Workflow, WorkflowIdParams>("workflows.get", { id: workflowId }, options)
					.catch((err: Errors.MoleculerError) => (err.code === 404 ? ("removed" as const) : null));
				if (workflow !== "removed") return { ...building, workflow };
				await this.unlink(id, workflowId);
				return { ...building, workflowId: null, workflowStatus: "removed", workflow: null };
			},

			async unlink(this: Self, buildingId: number, workflowId: number): Promise<void> {
				if (await unlinkWorkflow(this.sequelize, buildingId, workflowId)) await this.forget([buildingId]);
			},
		},
	};
}
