// cpp_chat: a C++ console chat on the legacy IAgoraAPI interface, in the shape of the legacy
// tutorials: an ICallBack subclass printing what arrives, an event loop on a thread of its own,
// and commands read from stdin, one a line:
//   login <appid> <account>             send <account> <msgid> <text...>
//   join <channel>                      say <channel> <msgid> <text...>
//   leave <channel>                     chattr <channel> <name> <value>
//   setattr <name> <value>              getattr <account> <name>
//   invite <channel> <account> <extra>  accept <channel> <account> <extra>
//   end <channel> <account>             status
//   logout                              quit
//
// Build: c++ -std=c++11 cpp_chat.cpp -I../include -L<dir of libagorasig.so> -lagorasig -lpthread
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "agora_sig.h"

using namespace agora_sdk_cpp;

static std::mutex out_lock;

static void print(const std::string &line) {
    std::lock_guard<std::mutex> guard(out_lock);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

// Callback strings come as (pointer, size); they are also NUL-terminated.
static std::string str(char const *p, size_t n) { return std::string(p, n); }

class Printer : public ICallBack {
public:
    void onLoginSuccess(uint32_t, int) override { print("onLoginSuccess"); }
    void onLoginFailed(int ecode) override { print("onLoginFailed " + std::to_string(ecode)); }
    void onLogout(int ecode) override { print("onLogout " + std::to_string(ecode)); }
    void onChannelJoined(char const *c, size_t cn) override { print("onChannelJoined " + str(c, cn)); }
    void onChannelJoinFailed(char const *c, size_t cn, int ecode) override {
        print("onChannelJoinFailed " + str(c, cn) + " " + std::to_string(ecode));
    }
    void onChannelLeaved(char const *c, size_t cn, int ecode) override {
        print("onChannelLeaved " + str(c, cn) + " " + std::to_string(ecode));
    }
    void onChannelUserJoined(char const *a, size_t an, uint32_t) override {
        print("onChannelUserJoined " + str(a, an));
    }
    void onChannelUserLeaved(char const *a, size_t an, uint32_t) override {
        print("onChannelUserLeaved " + str(a, an));
    }
    void onChannelUserList(int n, char **accounts, uint32_t *) override {
        std::string line = "onChannelUserList " + std::to_string(n);
        for (int i = 0; i < n; i++) line += std::string(" ") + accounts[i];
        print(line);
    }
    void onChannelAttrUpdated(char const *c, size_t cn, char const *name, size_t nn, char const *value, size_t vn,
                              char const *type, size_t tn) override {
        print("onChannelAttrUpdated " + str(c, cn) + " " + str(name, nn) + " " + str(value, vn) + " " + str(type, tn));
    }
    void onInviteReceived(char const *c, size_t cn, char const *a, size_t an, uint32_t, char const *e,
                          size_t en) override {
        print("onInviteReceived " + str(c, cn) + " " + str(a, an) + " " + str(e, en));
    }
    void onInviteReceivedByPeer(char const *c, size_t cn, char const *a, size_t an, uint32_t) override {
        print("onInviteReceivedByPeer " + str(c, cn) + " " + str(a, an));
    }
    void onInviteAcceptedByPeer(char const *c, size_t cn, char const *a, size_t an, uint32_t, char const *e,
                                size_t en) override {
        print("onInviteAcceptedByPeer " + str(c, cn) + " " + str(a, an) + " " + str(e, en));
    }
    void onInviteFailed(char const *c, size_t cn, char const *a, size_t an, uint32_t, int ecode, char const *e,
                        size_t en) override {
        print("onInviteFailed " + str(c, cn) + " " + str(a, an) + " " + std::to_string(ecode) + " " + str(e, en));
    }
    void onInviteEndByPeer(char const *c, size_t cn, char const *a, size_t an, uint32_t, char const *e,
                           size_t en) override {
        print("onInviteEndByPeer " + str(c, cn) + " " + str(a, an) + " " + str(e, en));
    }
    void onInviteEndByMyself(char const *c, size_t cn, char const *a, size_t an, uint32_t) override {
        print("onInviteEndByMyself " + str(c, cn) + " " + str(a, an));
    }
    void onMessageSendSuccess(char const *id, size_t n) override { print("onMessageSendSuccess " + str(id, n)); }
    void onMessageSendError(char const *id, size_t n, int ecode) override {
        print("onMessageSendError " + str(id, n) + " " + std::to_string(ecode));
    }
    void onMessageInstantReceive(char const *a, size_t an, uint32_t, char const *m, size_t mn) override {
        print("onMessageInstantReceive " + str(a, an) + " " + str(m, mn));
    }
    void onMessageChannelReceive(char const *c, size_t cn, char const *a, size_t an, uint32_t, char const *m,
                                 size_t mn) override {
        print("onMessageChannelReceive " + str(c, cn) + " " + str(a, an) + " " + str(m, mn));
    }
    void onUserAttrResult(char const *a, size_t an, char const *name, size_t nn, char const *v, size_t vn) override {
        print("onUserAttrResult " + str(a, an) + " " + str(name, nn) + " " + str(v, vn));
    }
    void onError(char const *name, size_t nn, int ecode, char const *, size_t) override {
        print("onError " + str(name, nn) + " " + std::to_string(ecode));
    }
};

int main() {
    Printer printer;
    IAgoraAPI *sdk = getAgoraSDKInstanceCPP();
    sdk->callbackSet(&printer);
    if (sdk->callbackGet() != &printer) {
        print("callbackGet returned another sink");
        return 1;
    }
    // The legacy event loop: start() returns after stop().
    std::thread loop([sdk] {
        sdk->start();
        print("start returned");
    });

    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd, a, b, c;
        in >> cmd;
        if (cmd == "login") {
            in >> a >> b;
            std::string token = "_no_need_token";
            sdk->login(a.data(), a.size(), b.data(), b.size(), token.data(), token.size(), 0, NULL, 0);
        } else if (cmd == "send") {
            in >> a >> b >> std::ws;
            std::getline(in, c);
            sdk->messageInstantSend(a.data(), a.size(), 0, c.data(), c.size(), b.data(), b.size());
        } else if (cmd == "join") {
            in >> a;
            sdk->channelJoin(a.data(), a.size());
        } else if (cmd == "say") {
            in >> a >> b >> std::ws;
            std::getline(in, c);
            sdk->messageChannelSend(a.data(), a.size(), c.data(), c.size(), b.data(), b.size());
        } else if (cmd == "leave") {
            in >> a;
            sdk->channelLeave(a.data(), a.size());
        } else if (cmd == "chattr") {
            in >> a >> b >> c;
            sdk->channelSetAttr(a.data(), a.size(), b.data(), b.size(), c.data(), c.size());
        } else if (cmd == "setattr") {
            in >> a >> b;
            sdk->setAttr(a.data(), a.size(), b.data(), b.size());
        } else if (cmd == "getattr") {
            in >> a >> b;
            sdk->getUserAttr(a.data(), a.size(), b.data(), b.size());
        } else if (cmd == "invite") {
            in >> a >> b >> c;
            sdk->channelInviteUser2(a.data(), a.size(), b.data(), b.size(), c.data(), c.size());
        } else if (cmd == "accept") {
            in >> a >> b >> c;
            sdk->channelInviteAccept(a.data(), a.size(), b.data(), b.size(), 0, c.data(), c.size());
        } else if (cmd == "end") {
            in >> a >> b;
            sdk->channelInviteEnd(a.data(), a.size(), b.data(), b.size(), 0);
        } else if (cmd == "status") {
            print("status " + std::to_string(sdk->getStatus()) + " online " + std::to_string(sdk->isOnline()));
        } else if (cmd == "logout") {
            sdk->logout();
        } else if (cmd == "quit") {
            break;
        }
    }
    sdk->stop();
    loop.join();
    sdk->destroy();
    print("bye");
    return 0;
}
