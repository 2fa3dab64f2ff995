import type { LaunchedCluster } from "./launcher";
import type { Answer, LoadResult } from "./load";
import { query, waitFor } from "./infra";

/** What one fault did to a stream of creations, counted in both databases once all is done. */
export interface FaultFigures {
	statuses: Record<number, number>;
	sent: number;
	/** Answered 201 or 202, but not in the buildings table. */
	lost: number;
	/** Buildings with more than one workflow. */
	duplicated: number;
	/** Accepted buildings that never got their workflow. */
	withoutWorkflow: number;
	/** Workflows whose building does not exist. */
	orphans: number;
	/** From the end of the fault to the answer of the first of RECOVERY_RUN 201s in a row (see `recovery`); undefined if never. */
	recoverMs?: number;
	/** Answers to requests sent from that first one on that were not 201: 0 when recovery held. */
	relapses: number;
	/** From the end of the stream until every building shows its workflow. */
	drainMs: number;
}

/** How many 201s in a row, in the order the requests were sent, count as recovered. */
export const RECOVERY_RUN = 30;

/**
 * Waits until every building shows its workflow (at most `drainWithinMs`), then counts what the
 * stream lost, doubled or left behind, and prints the figures under the scenario's name.
 */
export async function settle(
	cluster: Pick<LaunchedCluster, "buildingsDb" | "workflowsDb">,
	scenario: string,
	load: LoadResult,
	faultEndedAt: number,
	drainWithinMs = 90_000,
) {
	const streamEnded = Date.now();
	await waitFor(`every building to show its workflow after "${scenario}"`, async () => (await pendingCount(cluster)) === 0, drainWithinMs);
	const drainMs = Date.now() - streamEnded;
	const buildings = new Set((await query<{ id: number }>(cluster.buildingsDb, "SELECT id FROM buildings")).map(row => row.id));
	const workflows = await query<{ buildingId: number; n: string }>(
		cluster.workflowsDb,
		'SELECT "buildingId", count(*) AS n FROM workflows GROUP BY 1',
	);
	const perBuilding = new Map(workflows.map(row => [row.buildingId, Number(row.n)]));
	const back = recoveredFrom(load.answers, faultEndedAt);
	const figures: FaultFigures = {
		statuses: load.statuses,
		sent: load.sent,
		lost: load.accepted.filter(id => !buildings.has(id)).length,
		duplicated: workflows.filter(row => Number(row.n) > 1).length,
		withoutWorkflow: load.accepted.filter(id => perBuilding.get(id) === undefined).length,
		orphans: workflows.filter(row => !buildings.has(row.buildingId)).length,
		recoverMs: back && back.answeredAt - faultEndedAt,
		relapses: back ? load.answers.filter(answer => answer.sentAt >= back.sentAt && answer.status !== 201).length : 0,
		drainMs,
	};
	console.log(
		`[fault] ${scenario}: statuses ${JSON.stringify(figures.statuses)} of ${figures.sent}; lost ${figures.lost}, ` +
			`duplicated ${figures.duplicated}, without workflow ${figures.withoutWorkflow}, orphans ${figures.orphans}; ` +
			`${RECOVERY_RUN} × 201 in a row ${figures.recoverMs} ms after the fault, ${figures.relapses} other answers after; drained ${figures.drainMs} ms after the stream`,
	);
	return figures;
}

async function pendingCount(cluster: Pick<LaunchedCluster, "buildingsDb">): Promise<number> {
	const [{ n }] = await query<{ n: string }>(
		cluster.buildingsDb,
		`SELECT count(*) AS n FROM buildings WHERE "workflowStatus" <> 'created'`,
	);
	return Number(n);
}

/** Nothing lost, doubled or left behind, and only the statuses the README promises for the fault. */
export function expectClean(figures: FaultFigures, allowed: string[]): void {
	expect(Object.keys(figures.statuses).filter(status => !allowed.includes(status))).toEqual([]);
	expect({
		lost: figures.lost,
		duplicated: figures.duplicated,
		withoutWorkflow: figures.withoutWorkflow,
		orphans: figures.orphans,
	}).toEqual({
		lost: 0,
		duplicated: 0,
		withoutWorkflow: 0,
		orphans: 0,
	});
}

/** Recovered within `boundMs` of the fault's end, and it held: every later creation answered 201. */
export function expectRecovered(figures: FaultFigures, boundMs: number): void {
	expect({ recoveredWithinBound: (figures.recoverMs ?? Number.POSITIVE_INFINITY) < boundMs, relapses: figures.relapses }).toEqual({
		recoveredWithinBound: true,
		relapses: 0,
	});
}

/**
 * When creations came back: the ms from `from` to the answer of the first of `n` 201s in a row,
 * in the order the requests were sent, among those sent at or after `from`; undefined if none.
 */
export function recovery(answers: readonly Answer[], from: number, n = RECOVERY_RUN): number | undefined {
	const first = recoveredFrom(answers, from, n);
	return first && first.answeredAt - from;
}

/** The first answer of the first `n` 201s in a row among the requests sent at or after `from`. */
function recoveredFrom(answers: readonly Answer[], from: number, n = RECOVERY_RUN): Answer | undefined {
	const after = answers.filter(answer => answer.sentAt >= from).sort((a, b) => a.sentAt - b.sentAt);
	let run = 0;
	for (let i = 0; i < after.length; i++) {
		run = after[i].status === 201 ? run + 1 : 0;
		if (run === n) return after[i - n + 1];
	}
	return undefined;
}

/** Whether a stream may end: the fault is over, creations recovered, and `more` were answered 201 after that. */
export function recoveredAndHeld(result: LoadResult, faultEndedAt: number | undefined, more = RECOVERY_RUN): boolean {
	if (faultEndedAt === undefined) return false;
	const back = recoveredFrom(result.answers, faultEndedAt);
	return back !== undefined && result.answers.filter(answer => answer.sentAt >= back.sentAt).length >= RECOVERY_RUN + more;
}
