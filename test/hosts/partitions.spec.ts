import type { ClusterView } from "../../types";
import { expectClean } from "../support/fault-figures";
import { waitFor } from "../support/infra";
import type { Host } from "./network";
import { handledSince, runScenario, sleep, type ScenarioResult } from "./scenario";
import { routeCount } from "./servers";
import { GATEWAY_NODE, HostsCluster, databaseHost, gatewayHost, nodeOf, workflowsHosts } from "./topology";

// The cluster on five test hosts (topology.ts) under about 30 creations a second, partitioned
// five ways. Each scenario checks: only 201, 202 and 503 answered; nothing lost, doubled or
// orphaned in either database once drained; 30 201s in a row again within BOUND_MS of each heal;
// a healed workflows node handling creations again; and /api/cluster showing the cut and the heal.

/** Every answer during a partition: created, accepted (its workflow follows), or refused to be retried. */
const ANSWERS = ["201", "202", "503"];
/** The goal: back to 201 within 10 s of a heal, and of a workflows host dropping off. */
const BOUND_MS = 10_000;
/**
 * A route to a host that dropped off, as a server no scenario cuts sees it, closes after 2 to 3
 * missed pings (2 s apart) or the kernel's retransmission limit (about 6 s, network.ts); measured
 * 4.3 to 9.9 s. The goal's 10 s is checked on the gateway's registry; this guards the route.
 */
const ROUTE_BOUND_MS = 12_000;
/** The goal: a workflows host cut off costs at most 1 % of the creations sent meanwhile as 503. */
const MAX_503_SHARE = 0.01;

const cluster = new HostsCluster();

beforeAll(() => cluster.start(), 180_000);
afterAll(() => cluster.stop(), 60_000);

// Each scenario starts on a whole cluster: every route up, every workflows node subscribed and
// registered, the buildings service reading its database.
beforeEach(
	() =>
		waitFor(
			"the whole cluster",
			async () => {
				const routes = await routeCount(databaseHost);
				const view = await clusterView();
				const workflows = workflowsHosts.map(nodeOf);
				return (
					routes === 4 &&
					view !== undefined &&
					view.outbox !== null &&
					workflows.every(node => view.nats?.queueSubscribers.includes(node) && view.nodes.some(n => n.id === node && n.available))
				);
			},
			60_000,
		),
	70_000,
);

async function clusterView(): Promise<ClusterView | undefined> {
	try {
		return (await (await fetch(`${cluster.api}/cluster`, { signal: AbortSignal.timeout(3000) })).json()) as ClusterView;
	} catch {
		return undefined;
	}
}

/**
 * The host whose nats-server the gateway's node is connected to: one of the workflows hosts' at
 * first (its TRANSPORTER); after a failover, any host the servers advertised.
 */
async function gatewayNatsHost(): Promise<Host> {
	const server = (await clusterView())?.nodes.find(node => node.id === GATEWAY_NODE)?.natsServer;
	const host = [gatewayHost, ...workflowsHosts, databaseHost].find(candidate => server?.startsWith(`${candidate.address}:`));
	if (!host) throw new Error(`The gateway's NATS server (${server}) is on no test host.`);
	return host;
}

/**
 * While cut off, the host's node left the queue group as the cluster page shows it; unless the
 * link flapped, its route closed and the gateway's registry dropped it within BOUND_MS; after the heal, both came back within BOUND_MS, and the
 * node took creations again.
 */
async function expectLeftAndBack(
	result: ScenarioResult,
	host: Host,
	{ cutAt, healAt }: { cutAt: number; healAt: number },
	flapping = false,
) {
	const { watch } = result;
	const node = nodeOf(host);
	const duringCut = watch.between(cutAt, healAt);
	expect(duringCut.some(seen => !seen.queueSubscribers.includes(node))).toBe(true);
	if (!flapping) {
		const routeGone = watch.firstRoutesAfter(cutAt, routes => !routes.includes(host.address));
		const unregistered = watch.firstAfter(cutAt, seen => !seen.available.includes(node));
		console.log(`[hosts] ${host.name}: route closed after ${routeGone} ms, node out of the registry after ${unregistered} ms`);
		expect(routeGone).toBeLessThanOrEqual(ROUTE_BOUND_MS);
		expect(unregistered).toBeLessThanOrEqual(BOUND_MS);
	}
	const routeBack = watch.firstRoutesAfter(healAt, routes => routes.includes(host.address));
	const back = watch.firstAfter(healAt, seen => seen.queueSubscribers.includes(node) && seen.available.includes(node));
	console.log(`[hosts] ${host.name}: route back ${routeBack} ms, node shown back ${back} ms after the heal`);
	expect(routeBack).toBeLessThanOrEqual(BOUND_MS);
	expect(back).toBeLessThanOrEqual(BOUND_MS);
	expect(await handledSince(cluster, node, healAt)).toBeGreaterThan(0);
}

function moments(result: ScenarioResult, host: Host): { cutAt: number; healAt: number } {
	const of = result.timeline.moments.filter(moment => moment.host === host);
	return { cutAt: of.find(moment => moment.kind === "cut")!.at, healAt: of.filter(moment => moment.kind === "heal").at(-1)!.at };
}

it("1) a workflows host cut off for 30 s, node and NATS server together, then healed", async () => {
	const gatewayOn = await gatewayNatsHost();
	const host = workflowsHosts.find(candidate => candidate !== gatewayOn)!;
	const result = await runScenario(cluster, "a workflows host cut off 30 s", 30_000, async timeline => {
		timeline.cutOff(host);
		await sleep(30_000);
		timeline.heal(host);
	});
	expectClean(result.figures, ANSWERS);
	expect(result.backAfterCutMs).toBeLessThanOrEqual(BOUND_MS);
	expect(result.backAfterHealMs[0]).toBeLessThanOrEqual(BOUND_MS);
	expect(result.share503DuringCut).toBeLessThanOrEqual(MAX_503_SHARE);
	await expectLeftAndBack(result, host, moments(result, host));
}, 300_000);

it("2) the buildings host cut off from the database host for 10 s, NATS still working", async () => {
	const result = await runScenario(cluster, "the buildings host cut off from the database 10 s", 10_000, async timeline => {
		timeline.cutOff(gatewayHost, ["storage"]);
		await sleep(10_000);
		timeline.heal(gatewayHost);
	});
	const { cutAt, healAt } = moments(result, gatewayHost);
	expectClean(result.figures, ANSWERS);
	expect(result.backAfterHealMs[0]).toBeLessThanOrEqual(BOUND_MS);
	// Without its database the buildings service saves nothing: 503, never a lost 201.
	expect(result.duringCut[503]).toBeGreaterThan(0);
	// The cluster page: the outbox unreadable during the cut, readable again after it, while
	// every workflows node stayed subscribed (NATS was not cut).
	const during = result.watch.between(cutAt, healAt);
	expect(during.some(seen => !seen.outboxRead)).toBe(true);
	expect(during.every(seen => workflowsHosts.every(host => seen.queueSubscribers.includes(nodeOf(host))))).toBe(true);
	expect(result.watch.firstAfter(healAt, seen => seen.outboxRead)).toBeLessThanOrEqual(BOUND_MS);
}, 300_000);

it("3) the host of the NATS server the gateway uses cut off for 20 s", async () => {
	const host = await gatewayNatsHost();
	// Cutting off the gateway's own host, or the database's, would be another scenario.
	expect(workflowsHosts).toContain(host);
	const result = await runScenario(cluster, "the gateway's NATS server's host cut off 20 s", 20_000, async timeline => {
		timeline.cutOff(host);
		await sleep(20_000);
		timeline.heal(host);
	});
	const { cutAt, healAt } = moments(result, host);
	expectClean(result.figures, ANSWERS);
	expect(result.backAfterCutMs).toBeLessThanOrEqual(BOUND_MS);
	expect(result.backAfterHealMs[0]).toBeLessThanOrEqual(BOUND_MS);
	expect(result.share503DuringCut).toBeLessThanOrEqual(MAX_503_SHARE);
	// The gateway's node moved to another host's server.
	const movedAfter = result.watch.firstAfter(cutAt, seen => {
		const server = seen.natsServerOf[GATEWAY_NODE];
		return server !== null && server !== undefined && !server.startsWith(`${host.address}:`);
	});
	console.log(`[hosts] the gateway's node shown on another NATS server ${movedAfter} ms after the cut`);
	expect(movedAfter).toBeLessThanOrEqual(BOUND_MS);
	await expectLeftAndBack(result, host, { cutAt, healAt });
}, 300_000);

it("4) two workflows hosts cut off at once, then healed one at a time", async () => {
	const gatewayOn = await gatewayNatsHost();
	const [first, second] = workflowsHosts.filter(candidate => candidate !== gatewayOn);
	const result = await runScenario(cluster, "two workflows hosts cut off, healed 10 s apart", 30_000, async timeline => {
		timeline.cutOff(first);
		timeline.cutOff(second);
		await sleep(20_000);
		timeline.heal(first);
		await sleep(10_000);
		timeline.heal(second);
	});
	expectClean(result.figures, ANSWERS);
	expect(result.backAfterCutMs).toBeLessThanOrEqual(BOUND_MS);
	for (const back of result.backAfterHealMs) expect(back).toBeLessThanOrEqual(BOUND_MS);
	expect(result.share503DuringCut).toBeLessThanOrEqual(MAX_503_SHARE);
	await expectLeftAndBack(result, first, moments(result, first));
	await expectLeftAndBack(result, second, moments(result, second));
}, 300_000);

it("5) a flapping link: 10 cycles of 2 s down and 2 s up on one workflows host", async () => {
	const gatewayOn = await gatewayNatsHost();
	const host = workflowsHosts.find(candidate => candidate !== gatewayOn)!;
	const result = await runScenario(cluster, "a workflows host flapping 10 × (2 s down, 2 s up)", 40_000, async timeline => {
		for (let cycle = 0; cycle < 10; cycle++) {
			timeline.cutOff(host);
			await sleep(2000);
			timeline.heal(host);
			await sleep(2000);
		}
	});
	expectClean(result.figures, ANSWERS);
	expect(result.backAfterHealMs.at(-1)).toBeLessThanOrEqual(BOUND_MS);
	expect(result.share503DuringCut).toBeLessThanOrEqual(MAX_503_SHARE);
	await expectLeftAndBack(result, host, moments(result, host), true);
}, 300_000);
