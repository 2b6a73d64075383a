import net from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Graceful shutdown for an HTTP server that is busy when the signal comes.
 *
 * Node's `server.close()` also closes "idle" connections, and a connection whose request bytes
 * are still unread (the event loop was busy rendering other pages) looks idle: its client got
 * ECONNRESET for a request it had already sent. So shutdown here:
 * 1. keeps accepting for `graceMs`, so connections the kernel queued are taken too;
 * 2. stops listening without touching open connections (`net.Server#close`);
 * 3. answers every further request with `Connection: close`, so keep-alive sockets end after their
 *    response;
 * 4. sweeps, every 100 ms, only sockets that are idle after a finished and flushed response (ended),
 *    or that sent no byte within `freshMs` (destroyed);
 * 5. destroys whatever is left after `forceMs`.
 */
export interface GracefulCloser {
  close(opts: { graceMs: number; freshMs?: number; forceMs?: number; onForce?: () => void }): Promise<void>;
}

interface Tracked {
  acceptedAt: number;
  inFlight: number;
  served: number;
}

export function trackConnections(server: Server): GracefulCloser {
  const sockets = new Map<net.Socket, Tracked>();
  let stopping = false;
  server.on('connection', (socket: net.Socket) => {
    sockets.set(socket, { acceptedAt: Date.now(), inFlight: 0, served: 0 });
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const t = sockets.get(req.socket);
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
    if (!t) return;
    t.inFlight++;
    res.once('close', () => {
      t.inFlight--;
      t.served++;
    });
  });

  return {
    close({ graceMs, freshMs = 5_000, forceMs = 10_000, onForce }) {
      stopping = true;
      return new Promise<void>((resolve) => {
        setTimeout(() => {
          net.Server.prototype.close.call(server, () => {
            clearInterval(sweep);
            clearTimeout(force);
            resolve();
          });
          const sweepIdle = () => {
            const now = Date.now();
            for (const [socket, t] of sockets) {
              if (t.inFlight > 0 || socket.writableLength > 0) continue;
              // end(), not destroy(): a response's last bytes may still be on their way out.
              if (t.served > 0) socket.end();
              else if (socket.bytesRead === 0 && now - t.acceptedAt > freshMs) socket.destroy();
            }
          };
          sweepIdle();
          const sweep = setInterval(sweepIdle, 100);
          const force = setTimeout(() => {
            onForce?.();
            for (const socket of sockets.keys()) socket.destroy();
          }, forceMs);
          force.unref();
        }, graceMs);
      });
    },
  };
}
