// A stand-in for a backend's entry file: it listens where its launcher's config says, and
// answers /ready.
import { createServer } from 'node:http';
import { backendProcessConfig } from '../BackendProcess';

const config = backendProcessConfig() as {
  backend: { listen: { port: number; host: string } };
  greeting: string;
};
createServer((req, res) => {
  res.statusCode = req.url === '/ready' ? 200 : 404;
  res.end(JSON.stringify({ greeting: config.greeting, pid: process.pid }));
}).listen(config.backend.listen.port, config.backend.listen.host);
