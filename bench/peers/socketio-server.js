'use strict';
// One Socket.IO 4 node of the socketio-redis peer: run two of these against one redis-server.
//   node socketio-server.js --port 4001 --redis redis://127.0.0.1:6390
// Each socket joins the room named by its user id (handshake `auth: {user}`).
//   "peer" {to, body}  -> io.to(to).emit("msg", body), then the sender's ack callback
//   "join" room        -> socket.join(room), then ack
//   "room" {room, body}-> io.to(room).emit("msg", body), then ack
// Cross-node delivery goes through the Redis adapter (classic pub/sub adapter).
const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

async function main() {
  const port = Number(arg('port', '4001'));
  const host = arg('host', '127.0.0.1');
  const redisUrl = arg('redis', 'redis://127.0.0.1:6379');

  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  pub.on('error', (e) => console.error('redis pub:', e.message));
  sub.on('error', (e) => console.error('redis sub:', e.message));
  await Promise.all([pub.connect(), sub.connect()]);

  // http.createServer disables Nagle on accepted sockets by default (noDelay: true), and ws
  // calls setNoDelay() on upgrade as well.
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    // WebSocket only: no HTTP long-polling, hence no sticky sessions needed across the 2 nodes.
    transports: ['websocket'],
    serveClient: false,
    perMessageDeflate: false,
    maxHttpBufferSize: 1e6,
  });
  io.adapter(createAdapter(pub, sub));

  io.on('connection', (socket) => {
    const user = socket.handshake.auth && socket.handshake.auth.user;
    if (user) socket.join(String(user));
    socket.on('peer', (m, ack) => {
      io.to(String(m.to)).emit('msg', m.body);
      if (typeof ack === 'function') ack(true);
    });
    socket.on('join', (room, ack) => {
      socket.join(String(room));
      if (typeof ack === 'function') ack(true);
    });
    socket.on('room', (m, ack) => {
      io.to(String(m.room)).emit('msg', m.body);
      if (typeof ack === 'function') ack(true);
    });
  });

  httpServer.listen(port, host, () => console.error(`socketio-server: listening on ${host}:${port} (pid ${process.pid})`));
  const stop = () => {
    io.close();
    Promise.allSettled([pub.quit(), sub.quit()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error('socketio-server:', e);
  process.exit(1);
});
