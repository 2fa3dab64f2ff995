import { Errors, Service as MoleculerService, type Context } from "moleculer";
import { Action, Service } from "moleculer-decorators";
import { settings } from "../config/settings";
import { EntityNotFoundError } from "../mixins/db-errors";
import { DbMixin, type DbStore } from "../mixins/db.mixin";
import type { BuildingsChanged } from "../mixins/read-cache.mixin";
import { WorkflowModel } from "../models/workflow.model";
import {
	countWorkflowsByNode,
	deleteWorkflow,
	insertWorkflows,
	removeBuildingWorkflows,
	updateWorkflow,
} from "../models/workflows.statements";
import {
	WORKFLOW_STATUSES,
	type CreateWorkflowParams,
	type ListWorkflowsParams,
	type Page,
	type RemoveWorkflowsByBuildingParams,
	type UpdateWorkflowParams,
	type Workflow,
	type WorkflowIdParams,
	type WorkflowRemoved,
} from "../types";
import { Batcher } from "../mixins/batcher";
import { idRule, keyRule, nameRule, pageRules, sortRule, sortThenById } from "../types/validation";

/**
 * Workflows of buildings, in the workflows database. Several nodes run this service; each
 * request is handled by one of them, and `handledBy` records which.
 */
@Service({
	name: "workflows",
	mixins: [
		DbMixin({
			database: "workflows",
			model: WorkflowModel,
			fields: ["id", "name", "buildingId", "status", "handledBy", "createdAt", "updatedAt"],
		}),
	],
})
export default class WorkflowsService extends MoleculerService {
	declare newWorkflows: Batcher<CreateWorkflowParams, Workflow | null>;
	/** Workflows this node has created since it started (for the cluster page's rates). */
	declare createdCount: number;

	/**
	 * Creates a workflow for a building, handled by this node. With a `requestKey`, a repeated
	 * call returns the workflow the first one created. 409 BUILDING_REMOVED once the building's
	 * workflows have been removed. Internal: only other services call it.
	 *
	 * Each call is one request on the NATS queue group; the calls this node handles at the same
	 * moment are written together, in one statement (see `newWorkflows`).
	 */
	@Action({
		visibility: "public",
		params: {
			name: nameRule,
			buildingId: idRule,
			requestKey: keyRule,
			$$strict: true,
		},
	})
	async create(ctx: Context<CreateWorkflowParams>): Promise<Workflow> {
		const { name, buildingId, requestKey } = ctx.params;
		// Not written once the caller has stopped waiting: it sends the request again, to any node.
		const deadline = ctx.options.timeout ? Date.now() + ctx.options.timeout : undefined;
		const workflow = await this.traced(ctx, "create workflow", () => this.newWorkflows.add({ name, buildingId, requestKey }, deadline));
		if (!workflow) throw new BuildingRemovedError(buildingId);
		this.createdCount++;
		this.logger.debug(`Workflow ${workflow.id} for building ${buildingId}.`);
		return workflow;
	}

	/** One page of workflows, optionally only those of one building. */
	@Action({
		params: {
			...pageRules,
			sort: sortRule(["id", "name", "status", "createdAt", "updatedAt"]),
			buildingId: { ...idRule, optional: true },
			$$strict: true,
		},
	})
	list(ctx: Context<ListWorkflowsParams>): Promise<Page<Workflow>> {
		const { buildingId, sort, ...paging } = ctx.params;
		const query = buildingId === undefined ? {} : { buildingId };
		return this.traced(
			ctx,
			"list workflows",
			() => this._list(ctx, this.sanitizeParams(ctx, { ...paging, sort: sortThenById(sort), query })) as Promise<Page<Workflow>>,
		);
	}

	/** One workflow; 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	get(ctx: Context<WorkflowIdParams>): Promise<Workflow> {
		return this.traced(ctx, "get workflow", () => this._get(ctx, { id: ctx.params.id }) as Promise<Workflow>);
	}

	/** Renames a workflow or moves it to another status; 404 if there is none with this id. */
	@Action({
		params: {
			id: idRule,
			name: { ...nameRule, optional: true },
			status: { type: "enum", values: [...WORKFLOW_STATUSES], optional: true },
			$$strict: true,
		},
	})
	async update(ctx: Context<UpdateWorkflowParams>): Promise<Workflow> {
		const { id, ...changes } = ctx.params;
		if (changes.name === undefined && changes.status === undefined) {
			const message = '"name" or "status" is required: give at least one to change';
			throw new Errors.ValidationError(message, "VALIDATION_ERROR", [{ type: "required", field: "name", message }]);
		}
		const row = await updateWorkflow(this.model, id, changes);
		if (!row) throw new EntityNotFoundError(id);
		const workflow = await this.toWorkflow(ctx, row);
		await this.announceChange(workflow.buildingId);
		return workflow;
	}

	/** Deletes a workflow and returns it; 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<WorkflowIdParams>): Promise<Workflow> {
		const row = await deleteWorkflow(this.sequelize, this.model, ctx.params.id);
		if (!row) throw new EntityNotFoundError(ctx.params.id);
		const workflow = await this.toWorkflow(ctx, row);
		await this.announceChange(workflow.buildingId);
		// Emitted, not broadcast: one buildings node marks the building's workflow as removed.
		await this.broker.emit("workflows.removed", { workflowId: workflow.id, buildingId: workflow.buildingId } satisfies WorkflowRemoved);
		return workflow;
	}

	/**
	 * Deletes every workflow of a building and refuses new ones for it from then on; returns how
	 * many were deleted. Internal: for the buildings service.
	 */
	@Action({ visibility: "public", params: { buildingId: idRule, $$strict: true } })
	async removeByBuilding(ctx: Context<RemoveWorkflowsByBuildingParams>): Promise<{ removed: number }> {
		const { buildingId } = ctx.params;
		const removed = await removeBuildingWorkflows(this.sequelize, this.model, buildingId);
		if (removed > 0) this.logger.info(`Removed ${removed} workflow(s) of building ${buildingId}.`);
		await this.announceChange(buildingId);
		return { removed };
	}

	/** How many workflows each workflows node has created (from `handledBy`). Internal: for operators. */
	@Action({ visibility: "public" })
	countByNode(): Promise<{ handledBy: string; workflows: number }[]> {
		return countWorkflowsByNode(this.sequelize);
	}

	/** How many `create` calls this node has answered with a workflow since it started. Internal: for the cluster page. */
	@Action({ visibility: "public" })
	stats(): { created: number } {
		return { created: this.createdCount };
	}

	/** Group commit of `create`: the calls that arrive while a statement runs go in the next. */
	created(): void {
		this.createdCount = 0;
		this.newWorkflows = new Batcher(requests => this.insertWorkflows(requests), { maxQueued: settings.databases.groupCommitMaxQueued });
	}

	/** One statement for the `create` calls of one batch (a method, so tests can watch the batches). */
	insertWorkflows(requests: CreateWorkflowParams[]): Promise<(Workflow | null)[]> {
		return insertWorkflows(this.sequelize, requests, this.broker.nodeID);
	}

	/** Tells the nodes that keep answers embedding this building's workflow to forget them. */
	async announceChange(buildingId: number): Promise<void> {
		await this.broker.broadcast("workflows.changed", { ids: [buildingId] } satisfies BuildingsChanged);
	}

	toWorkflow(ctx: Context, row: unknown): Promise<Workflow> {
		return this.transformDocuments(ctx, {}, row) as Promise<Workflow>;
	}
}

export default interface WorkflowsService extends DbStore {}

/** 409: the building's workflows were removed, so it gets no new ones. */
export class BuildingRemovedError extends Errors.MoleculerClientError {
	constructor(buildingId: number) {
		super(`Building ${buildingId} has been removed.`, 409, "BUILDING_REMOVED", { buildingId });
		this.name = "BuildingRemovedError";
	}
}
