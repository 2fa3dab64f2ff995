/**
 * One partition scenario: a steady stream of creations through the gateway, a fault played in
 * the middle (hosts cut off and healed, each moment recorded), then the drain, and the figures:
 * statuses, the time back to 30 201s in a row after the fault began and after each heal, what was
 * lost, doubled or orphaned in both databases, and what the cluster page's JSON showed meanwhile.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type FaultFigures, recovery, settle } from "../support/fault-figures";
import { query } from "../support/infra";
import { postBuildingsSteadily, type LoadResult } from "../support/load";
import type { Host, Link } from "./network";
import type { HostsCluster } from "./topology";
import { databaseHost } from "./topology";
import { ClusterWatch } from "./watch";

/** Creations started per second, as the load. */
export const RATE = 30;
/** The stream runs this long before the fault and after it. */
const LEAD_MS = 5000;
const TAIL_MS = 20_000;
const FIGURES_FILE = path.join(__dirname, "..", "..", "test-artifacts", "hosts-figures.jsonl");

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export interface Moment {
	at: number;
	kind: "cut" | "heal";
	host: Host;
	links?: readonly Link[];
}

/** The fault's moments; what is still cut when the fault ends (or throws) is healed. */
export class Timeline {
	readonly moments: Moment[] = [];
	private readonly cut = new Map<Host, readonly Link[] | undefined>();

	cutOff(host: Host, links?: readonly Link[]): void {
		host.cut(links);
		this.cut.set(host, links);
		this.moments.push({ at: Date.now(), kind: "cut", host, links });
	}

	heal(host: Host): void {
		host.heal(this.cut.get(host));
		this.cut.delete(host);
		this.moments.push({ at: Date.now(), kind: "heal", host });
	}

	healAll(): void {
		for (const host of [...this.cut.keys()]) this.heal(host);
	}

	get firstCut(): number {
		return this.moments.find(moment => moment.kind === "cut")!.at;
	}

	get lastHeal(): number {
		return this.moments.filter(moment => moment.kind === "heal").at(-1)!.at;
	}

	heals(): Moment[] {
		return this.moments.filter(moment => moment.kind === "heal");
	}
}

export interface ScenarioResult {
	figures: FaultFigures;
	load: LoadResult;
	timeline: Timeline;
	watch: ClusterWatch;
	/** ms from the first cut to 30 201s in a row (each answer's time), undefined if never. */
	backAfterCutMs?: number;
	/** The same from each heal, in order. */
	backAfterHealMs: (number | undefined)[];
	/** Answers to requests sent between the first cut and the last heal, by status. */
	duringCut: Record<number, number>;
	/** Share of those answered 503. */
	share503DuringCut: number;
}

/** Runs the stream, plays `fault` after LEAD_MS, lets the stream go on TAIL_MS after it, drains. */
export async function runScenario(
	cluster: HostsCluster,
	name: string,
	faultMs: number,
	fault: (timeline: Timeline) => Promise<void>,
): Promise<ScenarioResult> {
	const watch = new ClusterWatch(cluster.api, databaseHost);
	watch.start();
	const timeline = new Timeline();
	const stream = postBuildingsSteadily(cluster.api, {
		total: Number.MAX_SAFE_INTEGER,
		ratePerSecond: RATE,
		maxInFlight: 300,
		durationMs: LEAD_MS + faultMs + TAIL_MS,
		name,
	});
	try {
		await sleep(LEAD_MS);
		await fault(timeline);
	} finally {
		timeline.healAll();
	}
	const load = await stream;
	const figures = await settle(cluster, name, load, timeline.lastHeal, 120_000);
	await watch.stop();
	const during = load.answers.filter(answer => answer.sentAt >= timeline.firstCut && answer.sentAt < timeline.lastHeal);
	const duringCut: Record<number, number> = {};
	for (const answer of during) duringCut[answer.status] = (duringCut[answer.status] ?? 0) + 1;
	const result: ScenarioResult = {
		figures,
		load,
		timeline,
		watch,
		backAfterCutMs: recovery(load.answers, timeline.firstCut),
		backAfterHealMs: timeline.heals().map(heal => recovery(load.answers, heal.at)),
		duringCut,
		share503DuringCut: (duringCut[503] ?? 0) / Math.max(1, during.length),
	};
	report(name, result);
	return result;
}

/** Workflows `nodeID` created from `from` (a time) on. */
export async function handledSince(cluster: HostsCluster, nodeID: string, from: number): Promise<number> {
	const [{ n }] = await query<{ n: string }>(
		cluster.workflowsDb,
		`SELECT count(*) AS n FROM workflows WHERE "handledBy" = $1 AND "createdAt" >= to_timestamp($2)`,
		[nodeID, from / 1000],
	);
	return Number(n);
}

function report(name: string, result: ScenarioResult): void {
	const { figures } = result;
	const line = {
		scenario: name,
		statuses: figures.statuses,
		sent: figures.sent,
		duringCut: result.duringCut,
		share503DuringCut: Number(result.share503DuringCut.toFixed(4)),
		backAfterCutMs: result.backAfterCutMs ?? null,
		backAfterHealMs: result.backAfterHealMs.map(ms => ms ?? null),
		lost: figures.lost,
		duplicated: figures.duplicated,
		withoutWorkflow: figures.withoutWorkflow,
		orphans: figures.orphans,
		drainMs: figures.drainMs,
	};
	console.log(`[hosts] ${JSON.stringify(line)}`);
	mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
	appendFileSync(FIGURES_FILE, `${JSON.stringify(line)}\n`);
}
