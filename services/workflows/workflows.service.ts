import { Errors, type Context } from "moleculer";
import { Action, Method, Service } from "moleculer-decorators";
import { callerDeadline } from "../../broker/idempotent-call";
import { settings } from "../../config/settings";
import { Batcher } from "../../db/batcher";
import { EntityNotFoundError } from "../../db/errors";
import { traced } from "../../db/traced";
import { DbMixin, DbService } from "../../mixins/db.mixin";
import {
	WORKFLOW_STATUSES,
	workflowSchema,
	type CreateWorkflowParams,
	type ListWorkflowsParams,
	type Page,
	type RemoveWorkflowsByBuildingParams,
	type UpdateWorkflowParams,
	type Workflow,
	type VersionedWorkflow,
	type WorkflowIdParams,
} from "../../types";
import { idRule, keyRule, nameRule, pageRules, sortRule, sortThenById } from "../../types/validation";
import { ChangeFeed } from "./change-feed";
import { workflowsMigrations } from "./migrations";
import { WorkflowModel } from "./workflow.model";
import {
	countWorkflowsByNode,
	createWorkflowFunction,
	deleteWorkflow,
	insertWorkflows,
	type ChangeRecord,
	removeBuildingWorkflows,
	updateWorkflow,
} from "./workflows.statements";

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
			fields: Object.keys(workflowSchema.properties),
			migrations: workflowsMigrations,
			routines: [createWorkflowFunction],
		}),
	],
})
export default class WorkflowsService extends DbService {
	/** Group commit of `create`: the calls that arrive while a statement runs go in the next. */
	declare private newWorkflows: Batcher<CreateWorkflowParams, VersionedWorkflow | null>;
	/** Tells the buildings service of each change, so its copy of the workflow stays true. */
	declare private changes: ChangeFeed;
	/** Workflows this node has created since it started (for the cluster page's rates). */
	declare private createdCount: number;

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
	async create(ctx: Context<CreateWorkflowParams>): Promise<VersionedWorkflow> {
		const { name, buildingId, requestKey } = ctx.params;
		// Not written once the caller has stopped waiting: it sends the request again, to any node.
		const deadline = callerDeadline(ctx);
		const workflow = await traced(ctx, "workflows", "create workflow", () =>
			this.newWorkflows.add({ name, buildingId, requestKey }, deadline),
		);
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
		const params = this.sanitizeParams(ctx, { ...paging, sort: sortThenById(sort), query });
		return traced(ctx, "workflows", "list workflows", () => this._list(ctx, params) as Promise<Page<Workflow>>);
	}

	/** One workflow; 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	get(ctx: Context<WorkflowIdParams>): Promise<Workflow> {
		return traced(ctx, "workflows", "get workflow", () => this._get(ctx, { id: ctx.params.id }) as Promise<Workflow>);
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
		const changed = await traced(ctx, "workflows", "update workflow", () =>
			updateWorkflow(this.sequelize, id, changes, this.changes.leaseMs),
		);
		if (!changed) throw new EntityNotFoundError(id);
		await this.reportChange(ctx, changed.change, changed.workflow);
		return published(changed.workflow);
	}

	/** Deletes a workflow and returns it; 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<WorkflowIdParams>): Promise<Workflow> {
		const deleted = await traced(ctx, "workflows", "delete workflow", () =>
			deleteWorkflow(this.sequelize, ctx.params.id, this.changes.leaseMs),
		);
		if (!deleted) throw new EntityNotFoundError(ctx.params.id);
		await this.reportChange(ctx, deleted.change, null);
		return published(deleted.workflow);
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

	/** One statement for the `create` calls of one batch (a method, so tests can watch the batches). */
	@Method
	insertWorkflows(requests: CreateWorkflowParams[]): Promise<(VersionedWorkflow | null)[]> {
		return insertWorkflows(this.sequelize, requests, this.broker.nodeID);
	}

	/**
	 * Reports a change to the buildings service before the action answers, so that a read of the
	 * building after the answer shows it; if that service cannot take it now, the feed's
	 * reconciler reports it later (the change is made either way).
	 */
	@Method
	async reportChange(ctx: Context, record: ChangeRecord, workflow: VersionedWorkflow | null): Promise<void> {
		await this.changes.report([{ record, workflow }], ctx).catch((err: Error) => this.changes.postpone([record], err));
	}

	created(): void {
		this.createdCount = 0;
		this.newWorkflows = new Batcher(requests => this.insertWorkflows(requests), { maxQueued: settings.databases.groupCommitMaxQueued });
		this.changes = new ChangeFeed(this.sequelize, this.broker, this.logger, settings.outbox);
	}

	started(): void {
		this.changes.start();
	}

	async stopped(): Promise<void> {
		await this.changes.stop();
	}
}

/** A workflow as the API shows it: without the version that only copies of it read. */
function published({ version: _version, ...workflow }: VersionedWorkflow): Workflow {
	return workflow;
}

/** 409: the building's workflows were removed, so it gets no new ones. */
export class BuildingRemovedError extends Errors.MoleculerClientError {
	constructor(buildingId: number) {
		super(`Building ${buildingId} has been removed.`, 409, "BUILDING_REMOVED", { buildingId });
		this.name = "BuildingRemovedError";
	}
}
