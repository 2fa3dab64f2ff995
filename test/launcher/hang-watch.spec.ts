import { EventEmitter } from "node:events";
import { watchForHang } from "../../cluster/hang-watch";

/** A node leaving: its IPC channel is closed, as a ChildProcess reports it (the callback, else an 'error' event). */
class LeavingNode extends EventEmitter {
	sends = 0;
	send(_message: unknown, callback?: (error: Error | null) => void): boolean {
		this.sends++;
		const error = Object.assign(new Error("Channel closed"), { code: "ERR_IPC_CHANNEL_CLOSED" });
		setImmediate(() => (callback ? callback(error) : this.emit("error", error)));
		return false;
	}
}

// A node sent SIGTERM closes its channel and then finishes its requests: the watch must stop
// quietly, not end the launcher with an unhandled 'error' event.
describe("the watch for hung nodes, on a node whose channel has closed", () => {
	it("stops pinging at the first refused ping, throws nothing and does not call the node hung", async () => {
		const node = new LeavingNode();
		const onHung = jest.fn();
		const stop = watchForHang(node, 3000, onHung);
		await new Promise(resolve => setTimeout(resolve, 4500));
		stop();
		expect([node.sends, onHung.mock.calls.length]).toEqual([1, 0]);
	});
});
