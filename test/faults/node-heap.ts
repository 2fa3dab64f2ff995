/**
 * What each node of a launched cluster keeps in memory, read through Node's inspector: with
 * INSPECT among the launcher's variables, it and every node it forks open an inspector on a free
 * loopback port and name it in the launcher's output ("Debugger listening on ws://…").
 */
export const INSPECT = { NODE_OPTIONS: "--inspect=127.0.0.1:0" };

/** One session of the Chrome DevTools Protocol with one process. */
class Inspector {
	private nextId = 0;
	private readonly waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();

	private constructor(private readonly socket: WebSocket) {
		socket.onmessage = event => {
			const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
			if (message.id === undefined) return;
			this.waiting.get(message.id)?.(message);
			this.waiting.delete(message.id);
		};
	}

	static open(url: string): Promise<Inspector> {
		const socket = new WebSocket(url);
		return new Promise((resolve, reject) => {
			socket.onopen = () => resolve(new Inspector(socket));
			socket.onerror = () => reject(new Error(`No inspector at ${url}`));
		});
	}

	call<T>(method: string, params: object = {}): Promise<T> {
		const id = ++this.nextId;
		this.socket.send(JSON.stringify({ id, method, params }));
		return new Promise((resolve, reject) =>
			this.waiting.set(id, ({ result, error }) => (error ? reject(new Error(`${method}: ${error.message}`)) : resolve(result as T))),
		);
	}

	async evaluate<T>(expression: string): Promise<T> {
		const { result } = await this.call<{ result: { value: T } }>("Runtime.evaluate", { expression, returnByValue: true });
		return result.value;
	}

	/** Closes the session: a node with one still open waits for it before it exits. */
	close(): Promise<void> {
		if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
		return new Promise(resolve => {
			this.socket.onclose = () => resolve();
			this.socket.close();
		});
	}
}

/** The cluster's nodes (by nodeID), each through its inspector. */
export class NodeHeaps {
	private constructor(private readonly nodes: Map<string, Inspector>) {}

	/** Opens a session with every node whose inspector the launcher's output names. */
	static async of(launcherOutput: string): Promise<NodeHeaps> {
		const urls = [...launcherOutput.matchAll(/Debugger listening on (ws:\/\/\S+)/g)].map(match => match[1]);
		const nodes = new Map<string, Inspector>();
		for (const url of urls) {
			const inspector = await Inspector.open(url).catch(() => undefined);
			const nodeID = await inspector?.evaluate<string | undefined>("process.env.NODE_ID");
			if (nodeID) nodes.set(nodeID, inspector!);
			else await inspector?.close();
		}
		return new NodeHeaps(nodes);
	}

	get nodeIDs(): string[] {
		return [...this.nodes.keys()].sort();
	}

	/**
	 * What each node keeps, in bytes: its JavaScript heap in use and the memory its objects hold
	 * outside it (buffers), after a full garbage collection. Not the resident size, which also
	 * counts the room V8 gives its young generation for garbage yet to be collected.
	 */
	async retained(): Promise<Record<string, number>> {
		const kept: Record<string, number> = {};
		for (const [nodeID, inspector] of this.nodes) {
			await inspector.call("HeapProfiler.collectGarbage");
			const { heapUsed, external } = await inspector.evaluate<NodeJS.MemoryUsage>("process.memoryUsage()");
			kept[nodeID] = heapUsed + external;
		}
		return kept;
	}

	async close(): Promise<void> {
		await Promise.all([...this.nodes.values()].map(inspector => inspector.close()));
	}
}
