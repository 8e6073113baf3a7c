// fauxqs through its exported API: its CLI binds 0.0.0.0, and benchmarks stay on loopback.
import { startFauxqs } from "fauxqs";

const server = await startFauxqs({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0), logger: false });
process.stdout.write(`port ${server.port}\n`);
process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
