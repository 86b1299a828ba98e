// Types for AgoraSig.js, the drop-in legacy Agora Signaling Web SDK (1.4.0 object model) that
// runs sessions on a sigshim server.

declare namespace Signal {
  /** 0 not logged in, 1 logging in, 2 logged in, 3 reconnecting. */
  type LoginState = 0 | 1 | 2 | 3;

  /** The object `Signal(appId)` returns. */
  interface SignalObject {
    readonly appId: string;
    /**
     * Starts logging in and returns the session at once; set its callbacks right after.
     * @param account a non-string account is JSON-stringified
     * @param token `_no_need_token` when the server has no App Certificate
     * @param reconnect_count tries after a broken link (default 10)
     * @param reconnect_time how long to try: under 1000 means seconds, else milliseconds
     *   (default 300000 ms)
     */
    login(account: string | unknown, token: string, reconnect_count?: number, reconnect_time?: number): Session;
    /** Console logging; levels other than DEBUG, WARNING and INFO are refused. */
    setDoLog(enabled?: boolean, level?: 'DEBUG' | 'WARNING' | 'INFO' | string): void;
    /** "1.4.0" */
    getSDKVersion(): string;
    /** 1010400000 */
    getSDKVersion_int(): number;
    /** `('ap_url', url)` points this object's sessions at a server; other keys are ignored. */
    setup_debugging(key: string, value: string): void;
    /** Alias of `setup_debugging`. */
    setUpDebugging(key: string, value: string): void;
  }

  /** A login. Callbacks are properties the page sets; each is called only if set. */
  interface Session {
    readonly account: string;
    /** The numeric uid, known after `onLoginSuccess`. */
    readonly uid: number;
    readonly state: LoginState;
    /** The channel joined last (one per session). */
    readonly channel: Channel | null;

    /** Logged in; called again after an automatic reconnect. */
    onLoginSuccess?: (uid: number) => void;
    /** 201 network or other, 204 token expired, 206 token wrong, 207 kicked, 209 invalid user. */
    onLoginFailed?: (ecode: number) => void;
    /** 101 after `logout()`, 102 link lost for good, 103 kicked by another login. */
    onLogout?: (ecode: number) => void;
    /** `uid` is always 0 on the Web. */
    onMessageInstantReceive?: (account: string, uid: number, msg: string) => void;
    onInviteReceived?: (call: Call) => void;
    /** sigshim addition: the server's `onError(name, ecode, desc)` (1.4.0 never fired it). */
    onError?: (name: string, ecode: number, desc: string) => void;

    /** Logged in: `onLogout(101)` follows. Logging in: back to 0 with no callback. */
    logout(): void;
    /** `cb(true)` when sending FAILED, `cb(false)` when the server accepted the message. */
    messageInstantSend(peer: string, msg: string, cb?: (failed: boolean) => void): void;
    /** `func` starts with `io.agora.signal.`; `cb(err, resp)`: `err === ''` on success. */
    invoke(func: string, args: object, cb?: (err: string, resp: any) => void): void;
    /** `undefined` unless logged in. Joining another channel leaves the current one. */
    channelJoin(name: string): Channel | undefined;
    /** Invites `peer`; `extra` may carry `_require_peer_online` and `_timeout` (seconds). */
    channelInviteUser2(channel: string, peer: string, extra?: string): Call;
    /** Synchronous. */
    getStatus(): LoginState;
  }

  /** A channel of a session. */
  interface Channel {
    readonly name: string;
    readonly state: 'joining' | 'joined' | 'leaved';

    /** Joined; `onChannelUserList` and the attribute replay follow. */
    onChannelJoined?: () => void;
    /** The server's error, as a string. */
    onChannelJoinFailed?: (err: string) => void;
    onChannelLeaved?: (code: number) => void;
    /** `[[account, uid], …]`, the joining user included. */
    onChannelUserList?: (users: Array<[string, number]>) => void;
    onChannelUserJoined?: (account: string, uid: number) => void;
    onChannelUserLeaved?: (account: string, uid: number) => void;
    onChannelAttrUpdated?: (name: string, value: string, type: 'update' | 'del' | 'clear') => void;
    /** Channel messages, the sender's own included. */
    onMessageChannelReceive?: (account: string, uid: number, msg: string) => void;

    /** `cb()` without arguments, even on error. */
    messageChannelSend(msg: string, cb?: () => void): void;
    /** `cb()` if given, else `onChannelLeaved(0)`. */
    channelLeave(cb?: () => void): void;
    channelSetAttr(name: string, value: string, cb?: () => void): void;
    channelDelAttr(name: string, cb?: () => void): void;
    channelClearAttr(cb?: () => void): void;
  }

  /** An invitation, keyed by channel + peer. */
  interface Call {
    readonly channelName: string;
    readonly peer: string;
    /** Outgoing: the extra sent; incoming: the caller's extra. */
    readonly extra: string;

    /** Each receives the other side's `extra`, byte for byte. */
    onInviteReceivedByPeer?: (extra: string) => void;
    onInviteAcceptedByPeer?: (extra: string) => void;
    onInviteRefusedByPeer?: (extra: string) => void;
    onInviteEndByPeer?: (extra: string) => void;
    onInviteEndByMyself?: (extra: string) => void;
    /** In-call messages: `{"msgtype":"dtmf","msgdata":"…"}` for DTMF. */
    onInviteMsg?: (extra: string) => void;
    /** A JSON text: `{"reason": "...", "ecode": 70x}`. */
    onInviteFailed?: (extra: string) => void;

    channelInviteAccept(extra?: string): void;
    channelInviteRefuse(extra?: string): void;
    channelInviteDTMF(dtmf: string): void;
    /** Fires `onInviteEndByMyself('')` synchronously, then cancels or ends the call. */
    channelInviteEnd(extra?: string): void;
  }
}

/** `Signal(appId)`, with or without `new`. */
declare const Signal: {
  (appId: string): Signal.SignalObject;
  new (appId: string): Signal.SignalObject;
  readonly Signal: typeof Signal;
  readonly default: typeof Signal;
  readonly LOGIN_STATE_NOT_LOGIN: 0;
  readonly LOGIN_STATE_LOGINING: 1;
  readonly LOGIN_STATE_LOGINED: 2;
  readonly LOGIN_STATE_RECONNECTING: 3;
  readonly SIGNALING_SDK_VERSION: string;
  getSDKVersion(): string;
  getSDKVersion_int(): number;
};

declare global {
  /** The endpoint to use when the page does not call `setup_debugging('ap_url', …)`. */
  var SIGSHIM_URL: string | undefined;
  const LOGIN_STATE_NOT_LOGIN: 0;
  const LOGIN_STATE_LOGINING: 1;
  const LOGIN_STATE_LOGINED: 2;
  const LOGIN_STATE_RECONNECTING: 3;
  const SIGNALING_SDK_VERSION: string;
}

export = Signal;
export as namespace Signal;
