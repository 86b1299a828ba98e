// Peer chat for the support page.
import Signal from 'agora-signaling-sdk';

export class Chat {
  constructor(appId) {
    this.signal = Signal(appId);
  }

  start(account, token) {
    this.session = this.signal.login(account, token, 10, 5);
    this.session.onMessageInstantReceive = (account, uid, msg) => this.show(account, msg);
    this.session.onLogout = (ecode) => {
      if (ecode === 103) this.show('system', 'signed in elsewhere');
    };
    this.session.onInviteReceived = (call) => {
      call.channelInviteAccept('{"status":0}');
    };
  }

  send(peer, text) {
    this.session.messageInstantSend(peer, text, (failed) => { if (failed) this.retry(peer, text); });
  }

  status() {
    return this.session.getStatus();
  }

  stop() {
    this.player.stop(); // scan: none
    this.session.logout();
  }
}
