'use strict';
// NATS core (no JetStream) through nats.js 2: subjects u.<user> / g.<room>.
const { connect: natsConnect } = require('nats');

exports.name = 'nats';
const enc = new TextEncoder();
const dec = new TextDecoder();

exports.connect = async function connect({ url, user, onMessage, onError }) {
  // nats.js sets TCP_NODELAY and coalesces the publishes of one tick into one write.
  const nc = await natsConnect({ servers: url, name: user, reconnect: false, timeout: 30000 });
  nc.closed().then((e) => { if (e) onError(`${user}: ${e.message}`); });
  const listen = async (subject) => {
    nc.subscribe(subject, {
      callback: (err, m) => (err ? onError(`${user}: ${err.message}`) : onMessage(dec.decode(m.data))),
    });
    await nc.flush(); // the server has the subscription before anyone publishes
  };
  return {
    listenUser: () => listen(`u.${user}`),
    joinRoom: (room) => listen(`g.${room}`),
    sendUser: (to, body) => nc.publish(`u.${to}`, enc.encode(body)),
    sendRoom: (room, body) => nc.publish(`g.${room}`, enc.encode(body)),
    close: () => nc.close(),
  };
};
