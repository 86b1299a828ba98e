import AgoraSigKit

final class CallView {
    let api: AgoraAPI = AgoraAPI.getInstanceWithoutMedia(appID)
    let auth = AuthService()

    func ring(_ peer: String) {
        api.channelInviteUser2("room", account: peer, extra: "{\"_require_peer_online\":1}")
        api.onInviteRefusedByPeer = { channel, account, uid, extra in
            self.show("refused")
        }
        api.onInviteEndByPeer = { channel, account, uid, extra in
            self.hangUp()
        }
        api.onInviteFailed = { channel, account, uid, ecode, extra in
            if ecode == 704 { self.show("no answer") }
        }
        auth.login(peer) // scan: none
        let note = "api.channelInviteEnd(room)" // scan: none
    }

    func dtmf(_ digits: String) {
        api.channelInviteDTMF("room", peer: "bob", dtmf: digits)
        // api.channelInviteEnd("room", peer: "bob", uid: 0) scan: none
        api.messagePushSend("ops", uid: 0, msg: digits, msgID: "")
    }
}
