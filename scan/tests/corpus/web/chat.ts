// Peer chat for the support page.
import Signal from 'agora-signaling-sdk';
import { Auth } from './auth';

export class Chat {
  private signal: any;
  private session: any;
  private auth = new Auth();

  constructor(appId: string) {
    this.signal = Signal(appId);
  }

  start(account: string, token: string) {
    this.auth.login(account); // scan: none
    this.session = this.signal.login(account, token, 10, 5);
    this.session.onMessageInstantReceive = (account: string, uid: number, msg: string) => this.show(account, msg);
    this.session.onLogout = (ecode: number) => {
      if (ecode === 103) this.show('system', 'signed in elsewhere');
    };
    this.session.onInviteReceived = (call: any) => {
      call.channelInviteAccept('{"status":0}');
    };
  }

  send(peer: string, text: string) {
    this.session.messageInstantSend(peer, text, (failed: boolean) => { if (failed) this.retry(peer, text); });
    // this.session.messageChannelSend(text); scan: none
  }

  announce(text: string) {
    const usage = `call this.session.channelLeave() first`; // scan: none
    this.session.invoke('io.agora.signal.channel_query_userlist_all', { name: 'all' }, () => {});
  }

  status() {
    return this.session.getStatus();
  }

  stop() {
    this.player.stop(); // scan: none
    this.session.logout();
  }
}
