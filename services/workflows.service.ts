import { Errors, Service as MoleculerService, type Context } from "moleculer";
import { Action, Service } from "moleculer-decorators";
import { QueryTypes, type Transaction } from "sequelize";
import { workflowsMigrations } from "../migrations/workflows";
import { EntityNotFoundError } from "../mixins/db-errors";
import { DbMixin, type DbStore } from "../mixins/db.mixin";
import type { BuildingsChanged } from "../mixins/read-cache.mixin";
import { WorkflowModel } from "../models/workflow.model";
import {
	WORKFLOW_STATUSES,
	type CreateWorkflowParams,
	type ListWorkflowsParams,
	type Page,
	type RemoveWorkflowsByBuildingParams,
	type UpdateWorkflowParams,
	type Workflow,
	type WorkflowIdParams,
} from "../types";
import { Batcher } from "../mixins/batcher";
import { idRule, keyRule, nameRule, pageRules, sortRule } from "../types/validation";

/**
 * Workflows of buildings, in the workflows database. Several nodes run this service; each
 * request is handled by one of them, and `handledBy` records which.
 */
@Service({
	name: "workflows",
	mixins: [DbMixin({ database: "workflows", model: WorkflowModel, migrations: workflowsMigrations })],
	settings: {
		fields: ["id", "name", "buildingId", "status", "handledBy", "createdAt", "updatedAt"],
	},
})
export default class WorkflowsService extends MoleculerService {
	declare newWorkflows: Batcher<CreateWorkflowParams, Workflow | null>;

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
		const workflow = await this.traced(ctx, "create workflow", () => this.newWorkflows.add({ name, buildingId, requestKey }));
		if (!workflow) throw new BuildingRemovedError(buildingId);
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
		const { buildingId, ...paging } = ctx.params;
		const query = buildingId === undefined ? {} : { buildingId };
		return this.traced(ctx, "list workflows", () => this._list(ctx, this.sanitizeParams(ctx, { sort: "id", ...paging, query })) as Promise<Page<Workflow>>);
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
			throw new Errors.ValidationError("Give a name or a status to change.", "VALIDATION_ERROR", [
				{ type: "required", field: "name", message: "Give a name or a status to change." },
			]);
		}
		const [count, rows] = await this.model.update(changes, { where: { id }, returning: true });
		if (count === 0) throw new EntityNotFoundError(id);
		const workflow = await this.toWorkflow(ctx, rows[0]);
		await this.announceChange(workflow.buildingId);
		return workflow;
	}

	/** Deletes a workflow and returns it; 404 if there is none with this id. */
	@Action({ params: { id: idRule, $$strict: true } })
	async remove(ctx: Context<WorkflowIdParams>): Promise<Workflow> {
		const [rows] = await this.sequelize.query('DELETE FROM "workflows" WHERE "id" = :id RETURNING *', {
			replacements: { id: ctx.params.id },
			model: this.model,
			mapToModel: true,
		});
		if (!rows) throw new EntityNotFoundError(ctx.params.id);
		const workflow = await this.toWorkflow(ctx, rows);
		await this.announceChange(workflow.buildingId);
		return workflow;
	}

	/**
	 * Deletes every workflow of a building and refuses new ones for it from then on; returns how
	 * many were deleted. Internal: for the buildings service.
	 */
	@Action({ visibility: "public", params: { buildingId: idRule, $$strict: true } })
	async removeByBuilding(ctx: Context<RemoveWorkflowsByBuildingParams>): Promise<{ removed: number }> {
		const { buildingId } = ctx.params;
		const removed = await this.sequelize.transaction(async transaction => {
			await this.lockBuilding(buildingId, transaction);
			await this.sequelize.query('INSERT INTO "removed_buildings" ("buildingId", "removedAt") VALUES (:buildingId, now()) ON CONFLICT DO NOTHING', {
				replacements: { buildingId },
				transaction,
			});
			return this.model.destroy({ where: { buildingId }, transaction });
		});
		if (removed > 0) this.logger.info(`Removed ${removed} workflow(s) of building ${buildingId}.`);
		await this.announceChange(buildingId);
		return { removed };
	}

	/** How many workflows each workflows node has created (from `handledBy`). Internal: for operators. */
	@Action({ visibility: "public" })
	async countByNode(): Promise<{ handledBy: string; workflows: number }[]> {
		const rows = await this.model.findAll({
			attributes: ["handledBy", [this.sequelize.fn("count", "*"), "workflows"]],
			group: ["handledBy"],
			order: [["handledBy", "ASC"]],
			raw: true,
		});
		return (rows as unknown as { handledBy: string; workflows: string }[]).map(row => ({ handledBy: row.handledBy, workflows: Number(row.workflows) }));
	}

	/**
	 * Serialises creating and removing the workflows of one building, so a create that arrives
	 * late (say, after its caller timed out) cannot slip past the building's removal.
	 */
	async lockBuilding(buildingId: number, transaction: Transaction): Promise<void> {
		await this.sequelize.query("SELECT pg_advisory_xact_lock(:buildingId)", { replacements: { buildingId }, transaction });
	}

	/**
	 * Creates the workflows of several `create` calls in one statement (group commit), each
	 * through `create_workflow` (migration 003). Returns, in the order given, each workflow, or
	 * null if its building has been removed. The statement takes the per-building locks in
	 * `buildingId` order, so two nodes' overlapping statements cannot deadlock.
	 */
	async insertWorkflows(requests: CreateWorkflowParams[]): Promise<(Workflow | null)[]> {
		const order = requests.map((_, index) => index).sort((a, b) => requests[a].buildingId - requests[b].buildingId);
		const sorted = order.map(index => requests[index]);
		const rows = await this.sequelize.query<Workflow & { removed: boolean; position: string }>(
			`SELECT f.*, t."position"
			 FROM unnest(ARRAY[:names]::varchar[], ARRAY[:buildingIds]::integer[], ARRAY[:requestKeys]::varchar[])
				WITH ORDINALITY AS t("name", "buildingId", "requestKey", "position")
			 CROSS JOIN LATERAL create_workflow(t."name", t."buildingId", t."requestKey", :handledBy) AS f
			 ORDER BY t."position"`,
			{
				replacements: {
					names: sorted.map(r => r.name),
					buildingIds: sorted.map(r => r.buildingId),
					requestKeys: sorted.map(r => r.requestKey ?? null),
					handledBy: this.broker.nodeID,
				},
				type: QueryTypes.SELECT,
			},
		);
		if (rows.length !== requests.length) throw new Error(`Workflow batch out of step: ${rows.length} rows for ${requests.length} requests.`);
		const results = new Array<Workflow | null>(requests.length);
		rows.forEach(({ removed, position: _position, ...workflow }, i) => {
			const request = sorted[i];
			// A row for another building would hand one caller another's workflow: refuse the batch.
			if (workflow.buildingId !== request.buildingId) {
				throw new Error(`Workflow batch out of step: row ${i} is for building ${workflow.buildingId}, not ${request.buildingId}.`);
			}
			results[order[i]] = removed ? null : workflow;
		});
		return results;
	}

	/** Group commit of `create`: the calls that arrive while a statement runs go in the next. */
	created(): void {
		this.newWorkflows = new Batcher(requests => this.insertWorkflows(requests));
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
