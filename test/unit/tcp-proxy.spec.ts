import { connect, createServer, type Server, type Socket } from "node:net";
import { waitFor } from "../support/infra";
import { TcpProxy } from "../support/tcp-proxy";

/** A client of the proxy that keeps what it received and how it ended. */
class Client {
	received = "";
	error?: string;
	closed = false;
	readonly socket: Socket;
	constructor(port: number) {
		this.socket = connect(port, "127.0.0.1");
		this.socket.on("data", chunk => (this.received += chunk));
		this.socket.on("error", err => (this.error = (err as NodeJS.ErrnoException).code));
		this.socket.on("close", () => (this.closed = true));
	}
	connected(): Promise<void> {
		return new Promise((resolve, reject) => (this.socket.once("connect", resolve), this.socket.once("error", reject)));
	}
}

// The proxy the fault tests cut, reset and black-hole, against an echo server.
describe("TcpProxy", () => {
	let echo: Server;
	let proxy: TcpProxy;
	const clients: Client[] = [];
	const client = async () => {
		const c = new Client(proxy.port);
		clients.push(c);
		await c.connected();
		return c;
	};

	beforeAll(async () => {
		echo = createServer(socket => socket.on("data", chunk => socket.write(chunk)).on("error", () => socket.destroy()));
		await new Promise<void>(resolve => echo.listen(0, "127.0.0.1", resolve));
	});
	beforeEach(async () => {
		proxy = new TcpProxy("127.0.0.1", (echo.address() as { port: number }).port);
		await proxy.start();
	});
	afterEach(async () => {
		for (const c of clients.splice(0)) c.socket.destroy();
		await proxy.stop();
	});
	afterAll(() => new Promise(resolve => echo.close(resolve)));

	it("passes bytes both ways and counts connections", async () => {
		const c = await client();
		c.socket.write("hello");
		await waitFor("the echo", () => c.received === "hello", 5000);
		expect(proxy.connections).toBe(1);
	});

	it("cut drops every connection and refuses new ones; restore listens on the same port again", async () => {
		const c = await client();
		const port = proxy.port;
		await proxy.cut();
		await waitFor("the connection to close", () => c.closed, 5000);
		await expect(new Client(port).connected()).rejects.toMatchObject({ code: "ECONNREFUSED" });
		expect(await proxy.restore()).toBe(port);
		const again = await client();
		again.socket.write("back");
		await waitFor("the echo after restore", () => again.received === "back", 5000);
	});

	it("reset ends each connection with a TCP reset, and still passes new ones", async () => {
		const c = await client();
		proxy.reset();
		await waitFor("the reset", () => c.closed, 5000);
		expect(c.error).toBe("ECONNRESET");
		const next = await client();
		next.socket.write("next");
		await waitFor("the echo after a reset", () => next.received === "next", 5000);
	});

	it("a black hole holds every byte, connections stay open; release delivers them in order", async () => {
		const c = await client();
		proxy.blackHole();
		c.socket.write("one,");
		c.socket.write("two");
		await waitFor("the bytes to be held", () => proxy.heldBytes >= 7, 5000);
		await new Promise(resolve => setTimeout(resolve, 200));
		expect([c.received, c.closed]).toEqual(["", false]);
		const late = await client();
		late.socket.write("late");
		await waitFor("the late bytes to be held", () => proxy.heldBytes >= 11, 5000);
		proxy.release();
		await waitFor("the held bytes to arrive", () => c.received === "one,two" && late.received === "late", 5000);
	});
});
