import type { ServiceBroker } from "moleculer";
import type { Building, Page } from "../types";

/** What moleculer-repl hands a custom command: a `table` formatter among other helpers. */
interface ReplHelpers {
	table(rows: unknown[][]): string;
}

interface ReplCommand {
	command: string;
	description: string;
	alias?: string[];
	options?: { option: string; description: string }[];
	action(broker: ServiceBroker, args: { options: Record<string, unknown> }, helpers: ReplHelpers): Promise<void>;
}

/** Operator commands of this cluster's REPL, beside moleculer-repl's own. */
export const replCommands: ReplCommand[] = [
	{
		command: "workflows-per-node",
		description: "How many workflows each workflows node has created (from handledBy)",
		alias: ["wpn"],
		async action(broker, _args, { table }) {
			const rows = await broker.call<{ handledBy: string; workflows: number }[]>("workflows.countByNode");
			const total = rows.reduce((sum, row) => sum + row.workflows, 0);
			console.log(
				table([
					["Node", "Workflows", "Share"],
					...rows.map(row => [row.handledBy, row.workflows, `${Math.round((100 * row.workflows) / (total || 1))} %`]),
					["Total", total, ""],
				]),
			);
		},
	},
	{
		command: "latest-buildings",
		description: "The latest buildings with the status of their workflow",
		alias: ["lb"],
		options: [{ option: "-n, --count <count>", description: "How many (default 10, at most 100)" }],
		async action(broker, { options }, { table }) {
			const pageSize = Math.min(100, Number(options.count) || 10);
			const page = await broker.call<Page<Building>, object>("buildings.list", { sort: "-id", pageSize });
			console.log(
				table([
					["Id", "Name", "Workflow", "Workflow id", "Created"],
					...page.rows.map(b => [b.id, b.name, b.workflowStatus, b.workflowId ?? "", new Date(b.createdAt).toISOString()]),
				]),
			);
			console.log(`${page.rows.length} of ${page.total} buildings.`);
		},
	},
];
