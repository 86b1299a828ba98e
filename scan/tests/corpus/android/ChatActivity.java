package com.example.support;

import io.agora.AgoraAPI;
import io.agora.AgoraAPIOnlySignal;
import io.agora.IAgoraAPI;
import org.json.JSONObject;

public class ChatActivity extends Activity {
    private AgoraAPIOnlySignal mAgoraAPI;
    private final AccountManager accounts = new AccountManager();

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        mAgoraAPI = AgoraAPIOnlySignal.getInstance(this, getString(R.string.app_id));
        mAgoraAPI.callbackSet(new AgoraAPI.CallBack() {
            @Override
            public void onLoginSuccess(int uid, int fd) {
                mAgoraAPI.channelJoin("support");
            }

            @Override
            public void onLoginFailed(int ecode) {
                if (ecode == IAgoraAPI.ECODE_LOGIN_E_TOKEN_KICKED) showError("token used elsewhere");
            }

            @Override
            public void onChannelUserList(String[] accounts, int[] uids) {
                updateMembers(accounts);
            }

            @Override
            public void onError(String name, int ecode, String desc) {
                log(name + ": " + desc);
            }
        });
        accounts.login(savedInstanceState); // scan: none
        mAgoraAPI.login2(getString(R.string.app_id), "alice", "_no_need_token", 0, "", 5, 3);
    }

    void callAgent(String agent) throws Exception {
        JSONObject extra = new JSONObject();
        extra.put("_timeout", 20);
        mAgoraAPI.channelInviteUser2("support", agent, extra.toString());
    }

    void broadcast(String text) {
        // mAgoraAPI.messageChannelSend("support", text, ""); scan: none
        mAgoraAPI.messagePushSend("ops", 0, text, "");
        String hint = "mAgoraAPI.logout()"; // scan: none
    }

    @Override
    protected void onPause() {
        super.onPause();
        mAgoraAPI.setBackground(1);
    }
}
