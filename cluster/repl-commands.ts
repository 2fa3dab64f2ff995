import type { ServiceBroker } from "moleculer";
import type { Building, Page } from "../types";

/** What moleculer-repl 0.8 hands a custom command: its options, and a `table` formatter among other helpers. */
interface ReplArgs {
	options: Record<string, unknown>;
}
interface ReplHelpers {
	table(rows: unknown[][]): string;
}

/** A command as moleculer-repl 0.8 takes it (its typings require every field). */
interface ReplCommand {
	command: string;
	description: string;
	alias: string[];
	options: { option: string; description: string }[];
	allowUnknownOptions: false;
	parse: null;
	action(broker: ServiceBroker, args: ReplArgs, helpers: ReplHelpers): Promise<void>;
}

/** Operator commands of this cluster's REPL, beside moleculer-repl's own. */
export const replCommands: ReplCommand[] = [
	{
		command: "workflows-per-node",
		description: "How many workflows each workflows node has created (from handledBy)",
		alias: ["wpn"],
		options: [],
		allowUnknownOptions: false,
		parse: null,
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
		allowUnknownOptions: false,
		parse: null,
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
