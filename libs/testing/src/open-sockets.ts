import { Socket } from 'node:net';

/**
 * How many sockets this process holds open to these `host:port` servers (by port). A client that was not closed
 * keeps its sockets, and they keep the test process alive after the last test: a spec proves a close path by
 * seeing the count come back down.
 */
export function openSocketsTo(servers: readonly string[]): number {
  const ports = new Set(servers.map((server) => Number(server.split(':').at(-1))));
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle) => handle instanceof Socket && ports.has(handle.remotePort ?? -1)).length;
}
