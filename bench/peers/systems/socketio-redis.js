'use strict';
// Socket.IO 4 client side of the socketio-redis peer (servers: ../socketio-server.js).
// User address = the room the server joins each socket to from `auth: {user}`.
const { io } = require('socket.io-client');

exports.name = 'socketio-redis';

exports.connect = function connect({ url, user, onMessage, onAck, onError }) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'], // what the servers accept; no polling upgrade dance
      forceNew: true, // one connection per client: by default io() multiplexes on a shared Manager
      reconnection: false, // a dropped connection shows as loss instead of being hidden
      auth: { user },
      timeout: 30000,
    });
    socket.on('msg', (body) => onMessage(body));
    socket.once('connect', () => {
      socket.on('disconnect', (reason) => onError(`${user}: disconnected (${reason})`));
      resolve({
        listenUser: async () => {}, // done by the server at connection
        joinRoom: (room) => socket.timeout(30000).emitWithAck('join', room),
        sendUser: (to, body) => socket.emit('peer', { to, body }, onAck),
        sendRoom: (room, body) => socket.emit('room', { room, body }, onAck),
        close: async () => { socket.removeAllListeners('disconnect'); socket.close(); },
      });
    });
    socket.once('connect_error', (e) => reject(new Error(`${user}: ${e.message}`)));
  });
};
