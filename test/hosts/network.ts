/**
 * Test hosts inside this machine: one network namespace per host, each joined by veth pairs to
 * two bridges in the root namespace, a cluster network (NATS, HTTP) and a storage network
 * (PostgreSQL), so that a host can lose its database while NATS still works. Addresses come from
 * 198.18.0.0/15 (RFC 2544's range for network tests); no namespace has a default route, so
 * nothing leaves the machine. Every name starts with PREFIX: what a killed run left behind is
 * found and removed by name.
 *
 * A partition detaches a host's veth ends from their bridge: the host keeps its addresses and
 * carrier, and what it sends is dropped in silence, as with a cable pulled further away (the
 * kernel here has no netem).
 */
import { execFileSync } from "node:child_process";

export const PREFIX = "mbh";
/** The cluster network: the root namespace (the test runner) is .1 on it. */
export const CLUSTER_NET = "198.18.0";
/** The storage network, where the database host's PostgreSQL listens. */
export const STORAGE_NET = "198.18.1";
/**
 * Retransmissions of unacknowledged data before a host's kernel gives a connection up: 4 is
 * about 6 s (200 ms doubling), where Linux's default, 15, is 15 minutes. nats-server (2.9 at
 * least) sends no ping on a route it is sending on, so while requests flow to a host that dropped
 * off, only this closes the route, and with it the queue subscriptions of that host's nodes;
 * it also ends the stale side of a route that would refuse the new one after a heal as a
 * duplicate. The README's "Running on several machines" recommends it for NATS hosts.
 */
export const TCP_RETRIES2 = 4;
const BRIDGES = { cluster: `${PREFIX}-lan`, storage: `${PREFIX}-san` } as const;
export type Link = keyof typeof BRIDGES;

function ip(...args: string[]): string {
	return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** One host: its namespace, its last address byte on both networks, and the links it has. */
export class Host {
	constructor(
		readonly name: string,
		readonly octet: number,
		readonly links: readonly Link[],
	) {}

	get namespace(): string {
		return `${PREFIX}-${this.name}`;
	}

	/** Its address on the cluster network. */
	get address(): string {
		return `${CLUSTER_NET}.${this.octet}`;
	}

	get storageAddress(): string {
		return `${STORAGE_NET}.${this.octet}`;
	}

	/** The root-namespace end of its veth on one network (15 characters at most). */
	peer(link: Link): string {
		return `${PREFIX}-${this.name}-${link === "cluster" ? "l" : "s"}`;
	}

	/** Command and arguments that run `command` inside this host. */
	exec(command: string, args: string[]): [string, string[]] {
		return ["ip", ["netns", "exec", this.namespace, command, ...args]];
	}

	/** Detaches its links (all, or those named) from their bridges: the host is cut off. */
	cut(links: readonly Link[] = this.links): void {
		for (const link of links) ip("link", "set", this.peer(link), "nomaster");
	}

	/** Attaches them again. */
	heal(links: readonly Link[] = this.links): void {
		for (const link of links) ip("link", "set", this.peer(link), "master", BRIDGES[link]);
	}
}

/** Builds the bridges and the hosts; the root namespace gets .1 on both networks. */
export function buildNetwork(hosts: readonly Host[]): void {
	removeNetwork();
	for (const [link, bridge] of Object.entries(BRIDGES)) {
		ip("link", "add", bridge, "type", "bridge");
		ip("addr", "add", `${link === "cluster" ? CLUSTER_NET : STORAGE_NET}.1/24`, "dev", bridge);
		ip("link", "set", bridge, "up");
	}
	for (const host of hosts) {
		ip("netns", "add", host.namespace);
		ip("-n", host.namespace, "link", "set", "lo", "up");
		execFileSync("ip", ["netns", "exec", host.namespace, "sysctl", "-qw", `net.ipv4.tcp_retries2=${TCP_RETRIES2}`]);
		host.links.forEach((link, i) => {
			const inside = `eth${i}`;
			ip("link", "add", host.peer(link), "type", "veth", "peer", "name", `${host.peer(link)}i`);
			ip("link", "set", `${host.peer(link)}i`, "netns", host.namespace, "name", inside);
			ip("link", "set", host.peer(link), "master", BRIDGES[link], "up");
			const address = link === "cluster" ? host.address : host.storageAddress;
			ip("-n", host.namespace, "addr", "add", `${address}/24`, "dev", inside);
			ip("-n", host.namespace, "link", "set", inside, "up");
		});
	}
}

/**
 * Removes every namespace and link whose name starts with PREFIX, killing what still runs in
 * those namespaces: this run's at the end, a killed run's at the start.
 */
export function removeNetwork(): void {
	const namespaces = ip("netns", "list")
		.split("\n")
		.map(line => line.split(" ")[0])
		.filter(name => name.startsWith(`${PREFIX}-`));
	for (const namespace of namespaces) {
		const pids = ip("netns", "pids", namespace).split("\n").filter(Boolean);
		for (const pid of pids) {
			try {
				process.kill(Number(pid), "SIGKILL");
			} catch {
				// ended meanwhile
			}
		}
		ip("netns", "del", namespace);
	}
	const links = ip("-o", "link", "show")
		.split("\n")
		.map(line => /^\d+: ([^:@]+)/.exec(line)?.[1])
		.filter((name): name is string => name !== undefined && name.startsWith(`${PREFIX}-`));
	// Bridges last: a veth's other end may already be gone with its namespace.
	const bridges: string[] = Object.values(BRIDGES);
	for (const link of [...links.filter(link => !bridges.includes(link)), ...links.filter(link => bridges.includes(link))]) {
		try {
			ip("link", "del", link);
		} catch {
			// removed with its peer
		}
	}
}
