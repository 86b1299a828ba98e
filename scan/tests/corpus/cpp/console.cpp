// A console client for the legacy Signaling SDK.
#include <cstdio>
#include <cstring>
#include <string>
#include "agora_sig.h"

using namespace agora_sdk_cpp;

class Handler : public ICallBack {
public:
    void onLoginSuccess(uint32_t uid, int fd) override { std::printf("logged in as %u\n", uid); }
    void onLogout(int ecode) override {
        if (ecode == LOGOUT_E_KICKED) std::printf("logged in elsewhere\n");
    }
    void onLoginFailed(int ecode) override {
        switch (ecode) {
        case 206: std::printf("bad token\n"); break;
        case 207: std::printf("token used elsewhere\n"); break;
        }
    }
    void onMessageInstantReceive(char const *account, size_t account_size, uint32_t uid, char const *msg,
                                 size_t msg_size) override {
        std::printf("%s: %s\n", account, msg);
    }
    void onLog(char const *txt, size_t txt_size) override { std::fputs(txt, stderr); }
};

struct Database {
    void login(const char *user) {}
};

int main(int argc, char **argv) {
    Handler handler;
    IAgoraAPI *api = getAgoraSDKInstanceCPP();
    api->callbackSet(&handler);
    std::string account = argc > 1 ? argv[1] : "console";
    api->login2(APP_ID, strlen(APP_ID), account.c_str(), account.size(), "_no_need_token", 14, 0, "", 0, 30, 3);
    api->channelJoin("lobby", 5);
    api->messageChannelSendForce("lobby", 5, "hello", 5, "", 0);
    api->messageAppSend("hello server", 12, "", 0);
    // api->messageInstantSend("bob", 3, 0, "hi", 2, "", 0);  scan: none
    std::puts("api->logout() ends the session"); // scan: none
    Database db;
    db.login("admin"); // scan: none
    api->start();
    api->logout();
    return 0;
}
