/*!
 * AgoraSig.js: a drop-in replacement for the legacy Agora Signaling Web SDK (1.4.0 object model)
 * that runs every session on a `sigshim serve` deployment, through its legacy session endpoint
 * (`ws(s)://host:port/legacy`, see docs/LEGACY-PROTOCOL.md in the sigshim repository).
 *
 * No dependencies, no build step. UMD: CommonJS `module.exports`, AMD `define`, else the global
 * `window.Signal` (plus the 1.3/1.4 globals `LOGIN_STATE_*` and `SIGNALING_SDK_VERSION`).
 *
 * Where sessions connect, first match wins:
 *  1. `signal.setup_debugging('ap_url', url)` called by the page (http(s)://, ws(s):// or a bare
 *     host:port; a URL without a path gets `/legacy`);
 *  2. `window.SIGSHIM_URL`, set before the script loads (or before `login`);
 *  3. the origin this script was served from (`http://h:p/sdk/AgoraSig.js` → `ws://h:p/legacy`);
 *  4. the page's own origin.
 *
 * License: MIT OR Apache-2.0 (same as sigshim).
 */
(function (root, factory) {
  'use strict';
  var api = factory(root);
  if (typeof module === 'object' && module && module.exports) {
    module.exports = api;
  } else if (typeof define === 'function' && define.amd) {
    define([], function () { return api; });
  } else if (root) {
    root.Signal = api;
  }
})(typeof globalThis !== 'undefined' ? globalThis : (typeof self !== 'undefined' ? self : this), function (root) {
  'use strict';

  var VERSION = '1.4.0';
  var VERSION_INT = 1010400000;
  var INVOKE_PREFIX = 'io.agora.signal.';
  var KEEPALIVE_MS = 10000;
  var ACK_DELAY_MS = 20;
  var FIRST_BACKOFF_MS = 200;
  var MAX_BACKOFF_MS = 2000;

  /** Login states, as the 1.3/1.4 globals. */
  var LOGIN_STATE_NOT_LOGIN = 0;
  var LOGIN_STATE_LOGINING = 1;
  var LOGIN_STATE_LOGINED = 2;
  var LOGIN_STATE_RECONNECTING = 3;

  // Captured at load time: document.currentScript is only set while the script first runs.
  var loadScriptSrc = null;
  try {
    if (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) {
      loadScriptSrc = document.currentScript.src;
    }
  } catch (e) { /* not a browser */ }
  var loadUrlOverride = root && typeof root.SIGSHIM_URL === 'string' ? root.SIGSHIM_URL : null;

  // ---------------------------------------------------------------------------------------------
  // Logging
  var LEVELS = { DEBUG: 0, INFO: 1, WARNING: 2 };
  var logState = { enabled: false, level: 0 };

  function log(level, args) {
    if (!logState.enabled || LEVELS[level] < logState.level) return;
    if (typeof console === 'undefined') return;
    var line = ['[AgoraSig ' + level + ']'].concat(Array.prototype.slice.call(args));
    var fn = level === 'WARNING' ? (console.warn || console.log) : (console.debug || console.log);
    try { fn.apply(console, line); } catch (e) { /* ignore */ }
  }
  function debug() { log('DEBUG', arguments); }
  function info() { log('INFO', arguments); }
  function warn() { log('WARNING', arguments); }
  function always() {
    if (typeof console !== 'undefined') {
      try { console.log.apply(console, ['[AgoraSig]'].concat(Array.prototype.slice.call(arguments))); } catch (e) { /* ignore */ }
    }
  }

  /**
   * Calls `obj[name](...args)` if the page set it; a throwing page callback is caught and logged.
   * @param {object} obj
   * @param {string} name
   * @param {Array} args
   */
  function fire(obj, name, args) {
    var fn = obj && obj[name];
    if (typeof fn !== 'function') {
      debug('callback not set:', name);
      return;
    }
    try {
      fn.apply(obj, args || []);
    } catch (e) {
      always('exception in callback ' + name + ':', e && e.stack ? e.stack : e);
    }
  }

  function safeCall(fn, args, what) {
    if (typeof fn !== 'function') return;
    try {
      fn.apply(null, args || []);
    } catch (e) {
      always('exception in callback ' + what + ':', e && e.stack ? e.stack : e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Where to connect

  /**
   * Turns what the page or the deployment gave into the endpoint's WebSocket URL.
   * @param {string} url
   * @returns {string}
   */
  function toLegacyUrl(url) {
    var u = String(url).trim();
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) u = 'ws://' + u;
    u = u.replace(/^http:/i, 'ws:').replace(/^https:/i, 'wss:');
    var m = /^(wss?:\/\/[^\/?#]+)(\/[^?#]*)?(.*)$/i.exec(u);
    if (!m) return u;
    var path = m[2] || '';
    if (path === '' || path === '/') path = '/legacy';
    return m[1] + path + m[3];
  }

  function originOf(url) {
    var m = /^(https?|wss?):\/\/([^\/?#]+)/i.exec(String(url || ''));
    return m ? m[1].toLowerCase() + '://' + m[2] : null;
  }

  function endpointFor(signal) {
    if (signal._apUrl) return toLegacyUrl(signal._apUrl);
    var override = (root && typeof root.SIGSHIM_URL === 'string' && root.SIGSHIM_URL) || loadUrlOverride;
    if (override) return toLegacyUrl(override);
    var origin = originOf(loadScriptSrc);
    if (origin) return toLegacyUrl(origin);
    if (root && root.location && root.location.origin && /^https?:/.test(root.location.origin)) {
      return toLegacyUrl(root.location.origin);
    }
    return 'ws://127.0.0.1:9000/legacy';
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  var idCounter = 0;
  function newMsgId(prefix) {
    idCounter += 1;
    return prefix + Date.now().toString(36) + '_' + idCounter.toString(36) + '_' + Math.floor(Math.random() * 1e9).toString(36);
  }

  function callKey(channel, peer) {
    return String(channel) + '\u0000' + String(peer);
  }

  var INVITE_REASONS = {
    700: 'call failed',
    701: 'repeated invitation',
    702: 'network error',
    703: 'peer offline',
    704: 'call timeout',
    705: 'peer cannot receive'
  };

  function inviteFailedText(ecode, extra) {
    var o = { reason: INVITE_REASONS[ecode] || ('error ' + ecode), ecode: ecode };
    if (extra) o.extra = extra;
    return JSON.stringify(o);
  }

  var JOIN_REASONS = { 300: 'join channel failed' };

  // ---------------------------------------------------------------------------------------------
  // Signal

  /**
   * The signal object of an App ID. Works with or without `new`.
   * @constructor
   * @param {string} appId
   */
  function Signal(appId) {
    if (!(this instanceof Signal)) return new Signal(appId);
    this.appId = appId;
    this.vid = appId;
    this._apUrl = null;
  }

  /**
   * Logs in and returns the Session at once; callbacks set on it afterwards receive the outcome.
   * @param {string} account a non-string account is JSON-stringified
   * @param {string} token `_no_need_token` when the deployment has no App Certificate
   * @param {number} [reconnect_count=10] tries after a broken link before `onLogout(102)`
   * @param {number} [reconnect_time] how long to try: values under 1000 are seconds, larger ones
   *   milliseconds (the shipped 1.4.0 code used ms, default 300000)
   * @returns {Session}
   */
  Signal.prototype.login = function (account, token, reconnect_count, reconnect_time) {
    return new Session(this, account, token, reconnect_count, reconnect_time);
  };

  /**
   * Turns console logging on or off.
   * @param {boolean} [enabled=false]
   * @param {string} [level='DEBUG'] DEBUG, INFO or WARNING
   */
  Signal.prototype.setDoLog = function (enabled, level) {
    if (level === undefined) level = 'DEBUG';
    if (!Object.prototype.hasOwnProperty.call(LEVELS, level)) {
      always('setDoLog: unknown log level "' + level + '" (use DEBUG, WARNING or INFO)');
      return;
    }
    logState.enabled = !!enabled;
    logState.level = LEVELS[level];
  };

  /** @returns {string} "1.4.0" */
  Signal.prototype.getSDKVersion = function () { return VERSION; };
  /** @returns {number} 1010400000 */
  Signal.prototype.getSDKVersion_int = function () { return VERSION_INT; };

  /**
   * The SDK's debugging hook; `('ap_url', url)` points this signal object's sessions at a server.
   * @param {string} key
   * @param {string} value
   */
  Signal.prototype.setup_debugging = function (key, value) {
    if (key === 'ap_url') {
      this._apUrl = value;
      info('sessions connect to', toLegacyUrl(value));
    } else {
      info('setup_debugging: ignored', key);
    }
  };
  Signal.prototype.setUpDebugging = Signal.prototype.setup_debugging;

  // ---------------------------------------------------------------------------------------------
  // Session

  /**
   * A login: its callbacks are properties the page sets after `login` returns.
   * @constructor
   */
  function Session(signal, account, token, reconnectCount, reconnectTime) {
    this.signal = signal;
    this.account = typeof account === 'string' ? account : JSON.stringify(account);
    this.token = token;
    this.uid = 0;
    this.state = LOGIN_STATE_LOGINING;

    var rc = reconnectCount === undefined || reconnectCount === null ? 10 : Number(reconnectCount);
    this._reconnectCount = isNaN(rc) ? 10 : rc;
    var rt = reconnectTime === undefined || reconnectTime === null ? 300000 : Number(reconnectTime);
    if (isNaN(rt)) rt = 300000;
    this._reconnectMs = rt < 1000 ? rt * 1000 : rt;

    this._url = endpointFor(signal);
    this._ws = null;
    this._ticket = null;
    this._window = 1024;
    this._lastSeq = 0;
    this._ackedSeq = 0;
    this._ackTimer = null;
    this._keepalive = null;
    this._reconnectTimer = null;
    this._tries = 0;
    this._lostAt = 0;
    this._ended = false;
    this._outbox = [];
    this._nextId = 1;
    this._pendingDone = {};
    this._pendingMsg = {};
    this._pendingInvoke = {};
    this._channels = {};
    this.channel = null;
    this._calls = {};
    this._suppressEnd = {};

    var self = this;
    // Nothing happens synchronously: the page sets its callbacks first.
    setTimeout(function () { self._open(false); }, 0);
  }

  /** @returns {number} 0 not logged in, 1 logging in, 2 logged in, 3 reconnecting */
  Session.prototype.getStatus = function () { return this.state; };

  // --- link --------------------------------------------------------------------------------------

  Session.prototype._open = function (resume) {
    if (this._ended) return;
    var self = this;
    var ws;
    try {
      ws = new WebSocket(this._url);
    } catch (e) {
      warn('cannot open', this._url, e);
      setTimeout(function () { self._linkLost(null); }, 0);
      return;
    }
    this._ws = ws;
    ws._sigGreeted = false;
    ws.onopen = function () {
      if (self._ws !== ws) return;
      if (resume && self._ticket) {
        debug('resuming at', self._lastSeq);
        // The token too: a server that checks tokens resumes only for a valid one of the account.
        self._raw(ws, { resume: self._ticket, last_seq: self._lastSeq, token: self.token });
      } else {
        debug('logging in as', self.account, 'at', self._url);
        self._raw(ws, { call: 'login', args: [self.signal.appId, self.account, self.token, 0, ''] });
      }
    };
    ws.onmessage = function (ev) {
      if (self._ws !== ws) return;
      var frame;
      try {
        frame = JSON.parse(ev.data);
      } catch (e) {
        warn('unreadable frame', ev.data);
        return;
      }
      self._onFrame(ws, frame);
    };
    ws.onclose = function (ev) {
      if (self._ws !== ws) return;
      debug('link closed', ev && ev.code, ev && ev.reason);
      self._linkLost(ws);
    };
    ws.onerror = function () { /* onclose follows */ };
  };

  Session.prototype._raw = function (ws, obj) {
    try {
      ws.send(JSON.stringify(obj));
      return true;
    } catch (e) {
      warn('send failed', e);
      return false;
    }
  };

  Session.prototype._send = function (obj) {
    var ws = this._ws;
    if (ws && ws._sigGreeted && ws.readyState === 1) {
      this._raw(ws, obj);
    } else {
      this._outbox.push(obj);
    }
  };

  /** Sends a legacy call; `onDone` runs when the server has finished it. */
  Session.prototype._call = function (name, args, onDone) {
    var frame = { call: name, args: args };
    if (onDone) {
      var id = this._nextId++;
      frame.id = id;
      this._pendingDone[id] = onDone;
    }
    this._send(frame);
  };

  Session.prototype._close = function () {
    var ws = this._ws;
    this._ws = null;
    this._stopTimers();
    if (ws) {
      try { ws.close(1000); } catch (e) { /* ignore */ }
    }
  };

  Session.prototype._stopTimers = function () {
    if (this._keepalive) { clearInterval(this._keepalive); this._keepalive = null; }
    if (this._ackTimer) { clearTimeout(this._ackTimer); this._ackTimer = null; }
    if (this._reconnectTimer) { clearTimeout(this._reconnectTimer); this._reconnectTimer = null; }
  };

  Session.prototype._ackNow = function () {
    if (this._ackTimer) { clearTimeout(this._ackTimer); this._ackTimer = null; }
    var ws = this._ws;
    if (ws && ws._sigGreeted && ws.readyState === 1) {
      this._raw(ws, { ack: this._lastSeq });
      this._ackedSeq = this._lastSeq;
    }
  };

  Session.prototype._scheduleAck = function () {
    if (this._lastSeq - this._ackedSeq >= Math.max(1, Math.floor(this._window / 2))) {
      this._ackNow();
      return;
    }
    if (this._ackTimer) return;
    var self = this;
    this._ackTimer = setTimeout(function () { self._ackTimer = null; self._ackNow(); }, ACK_DELAY_MS);
  };

  Session.prototype._greeted = function (ws, frame) {
    ws._sigGreeted = true;
    // Every answer carries the ticket of the next resume (a resume's replaces the one it used).
    this._ticket = frame.session || this._ticket;
    if (typeof frame.window === 'number' && frame.window > 0) this._window = frame.window;
    var self = this;
    if (this._keepalive) clearInterval(this._keepalive);
    this._keepalive = setInterval(function () { self._ackNow(); }, KEEPALIVE_MS);
    var out = this._outbox;
    this._outbox = [];
    for (var i = 0; i < out.length; i++) this._raw(ws, out[i]);
  };

  Session.prototype._onFrame = function (ws, frame) {
    if (!frame || typeof frame !== 'object') return;
    if (typeof frame.session === 'string' && !ws._sigGreeted) {
      var resumed = !!frame.resumed;
      this._greeted(ws, frame);
      if (resumed) {
        info('session resumed');
        this._tries = 0;
        if (this.state === LOGIN_STATE_RECONNECTING) {
          this.state = LOGIN_STATE_LOGINED;
          fire(this, 'onLoginSuccess', [this.uid]);
        }
      }
      return;
    }
    if (typeof frame.error === 'string') {
      this._onError(ws, frame);
      return;
    }
    if (typeof frame.seq !== 'number') return;
    if (frame.seq <= this._lastSeq) {
      debug('dropping replayed frame', frame.seq);
      return;
    }
    this._lastSeq = frame.seq;
    this._scheduleAck();
    if (typeof frame.cb === 'string') {
      debug('callback', frame.cb, frame.args);
      this._onCallback(frame.cb, frame.args || []);
    } else if (frame.done !== undefined) {
      var fn = this._pendingDone[frame.done];
      delete this._pendingDone[frame.done];
      if (fn) fn(frame.ret);
    }
  };

  Session.prototype._onError = function (ws, frame) {
    warn('server error', frame.error, frame.detail || '');
    if (frame.error === 'unknown_session') {
      // The server no longer holds the session: log in afresh, as 1.4.0 did on every reconnect.
      this._ticket = null;
      this._freshLogin = true;
      this._rejoin = this.channel && this.channel.state === 'joined' ? this.channel : null;
      this._detach(ws);
      this._lastSeq = 0;
      this._ackedSeq = 0;
      this._open(false);
      return;
    }
    if (frame.error === 'session_busy') {
      this._detach(ws);
      this._linkLost(null);
      return;
    }
    if (frame.id !== undefined && this._pendingDone[frame.id]) {
      var fn = this._pendingDone[frame.id];
      delete this._pendingDone[frame.id];
      fn(null);
    }
  };

  Session.prototype._detach = function (ws) {
    if (this._ws === ws) this._ws = null;
    try { ws.close(1000); } catch (e) { /* ignore */ }
  };

  Session.prototype._linkLost = function (ws) {
    if (ws && this._ws !== ws) return;
    this._ws = null;
    if (this._keepalive) { clearInterval(this._keepalive); this._keepalive = null; }
    if (this._ackTimer) { clearTimeout(this._ackTimer); this._ackTimer = null; }
    if (this._ended) return;
    if (this.state === LOGIN_STATE_LOGINING && !this._freshLogin) {
      // The first login never completed.
      this._end();
      fire(this, 'onLoginFailed', [201]);
      return;
    }
    if (this.state === LOGIN_STATE_NOT_LOGIN) return;
    if (this.state !== LOGIN_STATE_RECONNECTING) {
      info('link lost; reconnecting');
      this.state = LOGIN_STATE_RECONNECTING;
      this._tries = 0;
      this._lostAt = Date.now();
    }
    if (this._tries >= this._reconnectCount || Date.now() - this._lostAt >= this._reconnectMs) {
      info('reconnect attempts exhausted');
      this._end();
      fire(this, 'onLogout', [102]);
      return;
    }
    var delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * Math.pow(2, this._tries));
    this._tries += 1;
    var self = this;
    this._reconnectTimer = setTimeout(function () {
      self._reconnectTimer = null;
      self._open(!!self._ticket);
    }, delay);
  };

  Session.prototype._end = function () {
    this._ended = true;
    this.state = LOGIN_STATE_NOT_LOGIN;
    this._outbox = [];
    this._close();
  };

  // --- callbacks from the server ---------------------------------------------------------------

  Session.prototype._channelNamed = function (name) {
    return this._channels[name] || (this.channel && this.channel.name === name ? this.channel : null);
  };

  Session.prototype._onCallback = function (cb, a) {
    var ch, call, key;
    switch (cb) {
      case 'onLoginSuccess':
        this.uid = a[0];
        this.state = LOGIN_STATE_LOGINED;
        this._freshLogin = false;
        this._tries = 0;
        fire(this, 'onLoginSuccess', [a[0]]);
        if (this._rejoin && this._rejoin === this.channel && !this._ended) {
          // A fresh login is not in any channel: join the page's channel again (its
          // onChannelJoined and member list arrive again, as after 1.4.0's re-login).
          this._rejoin.state = 'joining';
          this._call('channelJoin', [this._rejoin.name]);
        }
        this._rejoin = null;
        break;
      case 'onLoginFailed':
        if (this._freshLogin) {
          // A fresh login after a refused resume failed: the session is over.
          this._end();
          fire(this, 'onLogout', [102]);
        } else {
          this._end();
          fire(this, 'onLoginFailed', [a[0]]);
        }
        break;
      case 'onLogout':
        this._end();
        fire(this, 'onLogout', [a[0]]);
        break;
      case 'onReconnecting':
      case 'onReconnected':
      case 'onLog':
      case 'onDbg':
        debug(cb, a);
        break;
      case 'onChannelJoined':
        ch = this._channelNamed(a[0]);
        if (ch) {
          ch.state = 'joined';
          fire(ch, 'onChannelJoined', []);
        }
        break;
      case 'onChannelJoinFailed':
        ch = this._channelNamed(a[0]);
        if (ch) {
          ch.state = 'leaved';
          delete this._channels[ch.name];
          fire(ch, 'onChannelJoinFailed', [JOIN_REASONS[a[1]] ? JOIN_REASONS[a[1]] + ' (' + a[1] + ')' : 'error ' + a[1]]);
        }
        break;
      case 'onChannelLeaved':
        ch = this._channelNamed(a[0]);
        if (ch) {
          ch.state = 'leaved';
          if (this._channels[ch.name] === ch) delete this._channels[ch.name];
          if (ch._leaveCb) {
            var lcb = ch._leaveCb;
            ch._leaveCb = null;
            safeCall(lcb, [], 'channelLeave');
          } else if (!ch._leaveHandled) {
            // The Web reports a leave the page asked for as 0 (native: 602, "user left").
            fire(ch, 'onChannelLeaved', [ch._leaveRequested || a[1] === undefined ? 0 : a[1]]);
          }
          ch._leaveHandled = true;
        }
        break;
      case 'onChannelUserJoined':
        if (this.channel) fire(this.channel, 'onChannelUserJoined', [a[0], a[1]]);
        break;
      case 'onChannelUserLeaved':
        if (this.channel) fire(this.channel, 'onChannelUserLeaved', [a[0], a[1]]);
        break;
      case 'onChannelUserList':
        if (this.channel) {
          var accounts = a[0] || [];
          var uids = a[1] || [];
          var users = [];
          for (var i = 0; i < accounts.length; i++) users.push([accounts[i], uids[i]]);
          fire(this.channel, 'onChannelUserList', [users]);
        }
        break;
      case 'onChannelAttrUpdated':
        ch = this._channelNamed(a[0]);
        if (ch) fire(ch, 'onChannelAttrUpdated', [a[1], a[2], a[3]]);
        break;
      case 'onMessageChannelReceive':
        ch = this._channelNamed(a[0]);
        if (ch) fire(ch, 'onMessageChannelReceive', [a[1], a[2], a[3]]);
        break;
      case 'onMessageInstantReceive':
        fire(this, 'onMessageInstantReceive', [a[0], 0, a[2]]);
        break;
      case 'onMessageSendSuccess':
      case 'onMessageSendError':
        var pending = this._pendingMsg[a[0]];
        delete this._pendingMsg[a[0]];
        if (pending) {
          if (pending.channel) safeCall(pending.cb, [], 'messageChannelSend');
          else safeCall(pending.cb, [cb === 'onMessageSendError'], 'messageInstantSend');
        }
        break;
      case 'onInvokeRet':
        var icb = this._pendingInvoke[a[0]];
        delete this._pendingInvoke[a[0]];
        if (icb) {
          var resp;
          try { resp = a[2] ? JSON.parse(a[2]) : {}; } catch (e) { resp = a[2]; }
          safeCall(icb, [a[1] || '', resp], 'invoke');
        }
        break;
      case 'onInviteReceived':
        key = callKey(a[0], a[1]);
        call = new Call(this, a[0], a[1], a[3] === undefined ? '' : a[3], true);
        this._calls[key] = call;
        fire(this, 'onInviteReceived', [call]);
        break;
      case 'onInviteReceivedByPeer':
        call = this._calls[callKey(a[0], a[1])];
        if (call) fire(call, 'onInviteReceivedByPeer', ['']);
        break;
      case 'onInviteAcceptedByPeer':
        call = this._calls[callKey(a[0], a[1])];
        if (call) fire(call, 'onInviteAcceptedByPeer', [a[3] === undefined ? '' : a[3]]);
        break;
      case 'onInviteRefusedByPeer':
      case 'onInviteEndByPeer':
        key = callKey(a[0], a[1]);
        call = this._calls[key];
        if (call) {
          delete this._calls[key];
          fire(call, cb, [a[3] === undefined ? '' : a[3]]);
        }
        break;
      case 'onInviteFailed':
        key = callKey(a[0], a[1]);
        call = this._calls[key];
        if (call) {
          delete this._calls[key];
          fire(call, 'onInviteFailed', [inviteFailedText(a[3], a[4])]);
        }
        break;
      case 'onInviteEndByMyself':
        key = callKey(a[0], a[1]);
        if (this._suppressEnd[key]) {
          this._suppressEnd[key] -= 1;
          if (!this._suppressEnd[key]) delete this._suppressEnd[key];
        } else {
          call = this._calls[key];
          if (call) {
            delete this._calls[key];
            fire(call, 'onInviteEndByMyself', ['']);
          }
        }
        break;
      case 'onInviteMsg':
        call = this._calls[callKey(a[0], a[1])];
        if (call) {
          var text = a[5] ? a[5] : JSON.stringify({ msgtype: a[3], msgdata: a[4] });
          fire(call, 'onInviteMsg', [text]);
        }
        break;
      case 'onError':
        warn('onError', a);
        fire(this, 'onError', [a[0], a[1], a[2]]);
        break;
      default:
        debug('unhandled callback', cb, a);
    }
  };

  // --- session methods -----------------------------------------------------------------------

  /** Logs out: `onLogout(101)` when logged in; while logging in, back to state 0 silently. */
  Session.prototype.logout = function () {
    if (this._ended) return;
    if (this.state === LOGIN_STATE_LOGINED) {
      this._call('logout', []);
    } else if (this.state === LOGIN_STATE_RECONNECTING) {
      this._end();
      var self = this;
      setTimeout(function () { fire(self, 'onLogout', [101]); }, 0);
    } else {
      this._end();
    }
  };

  /**
   * Sends a peer message. `cb(failed)`: `true` means it FAILED, `false` that the server accepted it.
   * @param {string} peer
   * @param {string} msg
   * @param {function(boolean)} [cb]
   */
  Session.prototype.messageInstantSend = function (peer, msg, cb) {
    var id = newMsgId('m');
    if (cb) this._pendingMsg[id] = { cb: cb, channel: false };
    this._call('messageInstantSend', [String(peer), 0, String(msg), id]);
  };

  /**
   * Calls one of the legacy RPCs. `cb(err, resp)`: `err === ''` on success, `resp` parsed JSON.
   * @param {string} func must start with `io.agora.signal.`
   * @param {object} args
   * @param {function(string, *)} [cb]
   */
  Session.prototype.invoke = function (func, args, cb) {
    if (typeof func !== 'string' || func.indexOf(INVOKE_PREFIX) !== 0) {
      always('invoke: the function name must start with ' + INVOKE_PREFIX);
      return;
    }
    var id = newMsgId('i');
    if (cb) this._pendingInvoke[id] = cb;
    var req = typeof args === 'string' ? args : JSON.stringify(args || {});
    this._call('invoke', [func, req, id]);
  };

  /**
   * Joins a channel (one per session: joining another leaves the current one).
   * @param {string} name
   * @returns {Channel|undefined} undefined unless logged in
   */
  Session.prototype.channelJoin = function (name) {
    if (this.state !== LOGIN_STATE_LOGINED) {
      always('You should log in first.');
      return undefined;
    }
    name = String(name);
    var ch = new Channel(this, name);
    if (this.channel && this.channel.name !== name) {
      // The server leaves the old channel; its onChannelLeaved still reaches the old object.
      this._channels[this.channel.name] = this.channel;
    }
    this.channel = ch;
    this._channels[name] = ch;
    this._call('channelJoin', [name]);
    return ch;
  };

  /**
   * Invites `peer` to a call about `channel`.
   * @param {string} channel
   * @param {string} peer
   * @param {string} [extra] JSON text; `_require_peer_online` and `_timeout` are honoured
   * @returns {Call}
   */
  Session.prototype.channelInviteUser2 = function (channel, peer, extra) {
    var call = new Call(this, String(channel), String(peer), extra === undefined || extra === null ? '' : String(extra), false);
    this._calls[callKey(call.channelName, call.peer)] = call;
    this._call('channelInviteUser2', [call.channelName, call.peer, call.extra]);
    return call;
  };

  // ---------------------------------------------------------------------------------------------
  // Channel

  /**
   * A channel joined (or being joined) by a session.
   * @constructor
   */
  function Channel(session, name) {
    this.session = session;
    this.name = name;
    this.state = 'joining';
    this._leaveCb = null;
    this._leaveHandled = false;
  }

  /**
   * Sends a channel message (delivered to every member, the sender too). `cb()` has no arguments.
   * @param {string} msg
   * @param {function()} [cb]
   */
  Channel.prototype.messageChannelSend = function (msg, cb) {
    var id = newMsgId('c');
    if (cb) this.session._pendingMsg[id] = { cb: cb, channel: true };
    this.session._call('messageChannelSend', [this.name, String(msg), id]);
  };

  /**
   * Leaves the channel: `cb()` if given, else `onChannelLeaved(0)`.
   * @param {function()} [cb]
   */
  Channel.prototype.channelLeave = function (cb) {
    var self = this;
    var s = this.session;
    this._leaveCb = typeof cb === 'function' ? cb : null;
    this._leaveRequested = true;
    s._call('channelLeave', [this.name], function () {
      // The server finished the leave without an onChannelLeaved (e.g. not in the channel).
      if (self._leaveHandled) return;
      self._leaveHandled = true;
      self.state = 'leaved';
      if (s._channels[self.name] === self) delete s._channels[self.name];
      if (self._leaveCb) {
        var f = self._leaveCb;
        self._leaveCb = null;
        safeCall(f, [], 'channelLeave');
      } else {
        fire(self, 'onChannelLeaved', [0]);
      }
    });
  };

  function attrOp(ch, call, args, cb, what) {
    ch.session._call(call, args, function () { safeCall(cb, [], what); });
  }

  /** Sets a channel attribute; `cb()` without arguments. */
  Channel.prototype.channelSetAttr = function (name, value, cb) {
    attrOp(this, 'channelSetAttr', [this.name, String(name), String(value)], cb, 'channelSetAttr');
  };
  /** Deletes a channel attribute; `cb()` without arguments. */
  Channel.prototype.channelDelAttr = function (name, cb) {
    attrOp(this, 'channelDelAttr', [this.name, String(name)], cb, 'channelDelAttr');
  };
  /** Clears the channel's attributes; `cb()` without arguments. */
  Channel.prototype.channelClearAttr = function (cb) {
    attrOp(this, 'channelClearAttr', [this.name], cb, 'channelClearAttr');
  };

  // ---------------------------------------------------------------------------------------------
  // Call

  /**
   * An invitation, outgoing or incoming, keyed by channel + peer.
   * @constructor
   */
  function Call(session, channelName, peer, extra, incoming) {
    this.session = session;
    this.channelName = channelName;
    this.peer = peer;
    this.extra = extra;
    this.incoming = incoming;
  }

  /** Accepts an incoming invitation; the caller gets `onInviteAcceptedByPeer(extra)`. */
  Call.prototype.channelInviteAccept = function (extra) {
    this.session._call('channelInviteAccept', [this.channelName, this.peer, 0, extra === undefined ? '' : String(extra)]);
  };

  /** Refuses an incoming invitation; the caller gets `onInviteRefusedByPeer(extra)`. */
  Call.prototype.channelInviteRefuse = function (extra) {
    var key = callKey(this.channelName, this.peer);
    if (this.session._calls[key] === this) delete this.session._calls[key];
    this.session._call('channelInviteRefuse', [this.channelName, this.peer, 0, extra === undefined ? '' : String(extra)]);
  };

  /** Sends DTMF digits into the call; the peer gets `onInviteMsg('{"msgtype":"dtmf",…}')`. */
  Call.prototype.channelInviteDTMF = function (dtmf) {
    this.session._call('channelInviteDTMF', [this.channelName, this.peer, String(dtmf)]);
  };

  /**
   * Ends the call at any time: `onInviteEndByMyself('')` fires synchronously, then the call is
   * canceled (pending outgoing), refused with `extra` as the response (pending incoming), or
   * ended with `extra` in the end-call message (established; an `extra` with `_` is left out).
   * @param {string} [extra]
   */
  Call.prototype.channelInviteEnd = function (extra) {
    var s = this.session;
    var key = callKey(this.channelName, this.peer);
    if (s._calls[key] === this) delete s._calls[key];
    s._suppressEnd[key] = (s._suppressEnd[key] || 0) + 1;
    fire(this, 'onInviteEndByMyself', ['']);
    s._call('channelInviteEnd', [this.channelName, this.peer, 0, extra == null ? '' : String(extra)]);
  };

  // ---------------------------------------------------------------------------------------------
  // Exports

  Signal.Signal = Signal;
  Signal.default = Signal;
  Signal.Session = Session;
  Signal.Channel = Channel;
  Signal.Call = Call;
  Signal.LOGIN_STATE_NOT_LOGIN = LOGIN_STATE_NOT_LOGIN;
  Signal.LOGIN_STATE_LOGINING = LOGIN_STATE_LOGINING;
  Signal.LOGIN_STATE_LOGINED = LOGIN_STATE_LOGINED;
  Signal.LOGIN_STATE_RECONNECTING = LOGIN_STATE_RECONNECTING;
  Signal.SIGNALING_SDK_VERSION = VERSION;
  Signal.getSDKVersion = function () { return VERSION; };
  Signal.getSDKVersion_int = function () { return VERSION_INT; };
  /** Where sessions created now would connect (sigshim addition, for diagnostics). */
  Signal._endpointFor = endpointFor;
  Signal._toLegacyUrl = toLegacyUrl;

  // The 1.3/1.4 globals, in browsers only (not in Node).
  if (root && typeof root === 'object' && typeof root.document !== 'undefined') {
    try {
      root.LOGIN_STATE_NOT_LOGIN = LOGIN_STATE_NOT_LOGIN;
      root.LOGIN_STATE_LOGINING = LOGIN_STATE_LOGINING;
      root.LOGIN_STATE_LOGINED = LOGIN_STATE_LOGINED;
      root.LOGIN_STATE_RECONNECTING = LOGIN_STATE_RECONNECTING;
      root.SIGNALING_SDK_VERSION = VERSION;
    } catch (e) { /* read-only global object */ }
  }

  return Signal;
});
