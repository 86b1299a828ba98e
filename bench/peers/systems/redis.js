'use strict';
// Redis pub/sub through node-redis 4: PUBLISH u.<user> / g.<room>, receivers SUBSCRIBE.
// A connection that subscribes cannot publish: in both scenarios a connection does only one.
const { createClient } = require('redis');

exports.name = 'redis';

exports.connect = async function connect({ url, user, onMessage, onAck, onError }) {
  // node-redis sets TCP_NODELAY by default and pipelines the commands of one tick.
  const client = createClient({ url, name: user, socket: { reconnectStrategy: false, connectTimeout: 30000 } });
  client.on('error', (e) => onError(`${user}: ${e.message}`));
  await client.connect();
  const listener = (message) => onMessage(message);
  const fail = (e) => onError(`${user}: ${e.message}`);
  return {
    listenUser: () => client.subscribe(`u.${user}`, listener),
    joinRoom: (room) => client.subscribe(`g.${room}`, listener),
    sendUser: (to, body) => client.publish(`u.${to}`, body).then(onAck, fail),
    sendRoom: (room, body) => client.publish(`g.${room}`, body).then(onAck, fail),
    close: () => client.disconnect(),
  };
};
