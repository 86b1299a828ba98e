'use strict';
// MQTT 3.1.1 through mqtt.js 5, QoS 0: topics u/<user> / g/<room>.
const mqtt = require('mqtt');

exports.name = 'mosquitto';

exports.connect = async function connect({ url, user, onMessage, onError }) {
  const client = await mqtt.connectAsync(url, {
    clientId: `bench-${user}-${process.pid}`,
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0, // a dropped connection shows as loss
    connectTimeout: 30000,
  });
  // mqtt.js opens its TCP socket with net.createConnection() and leaves Nagle on; small QoS 0
  // publishes then wait for the previous segment's ACK (delayed ACK: up to 40 ms on Linux).
  if (client.stream && typeof client.stream.setNoDelay === 'function') client.stream.setNoDelay(true);
  client.on('message', (_topic, payload) => onMessage(payload.toString()));
  client.on('close', () => onError(`${user}: connection closed`));
  client.on('error', (e) => onError(`${user}: ${e.message}`));
  const listen = async (topic) => {
    const granted = await client.subscribeAsync(topic, { qos: 0 });
    if (!granted.length || granted[0].qos > 2) throw new Error(`${user}: subscription to ${topic} refused`);
  };
  return {
    listenUser: () => listen(`u/${user}`),
    joinRoom: (room) => listen(`g/${room}`),
    sendUser: (to, body) => client.publish(`u/${to}`, body, { qos: 0 }),
    sendRoom: (room, body) => client.publish(`g/${room}`, body, { qos: 0 }),
    close: async () => { client.removeAllListeners('close'); await client.endAsync(true); },
  };
};
