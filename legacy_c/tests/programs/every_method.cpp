// Calls each of the 48 IAgoraAPI methods at least once (strings as NULL, 0 wherever a string
// may be empty), and checks that the header declares the virtual functions of IAgoraAPI and
// ICallBack in the legacy order: under the Itanium C++ ABI a pointer to a virtual member function
// holds 1 + its byte offset in the table.
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "agora_sig.h"

using namespace agora_sdk_cpp;

static int failures = 0;

template <typename F> static long slot(F f) {
    long words[2];
    static_assert(sizeof(F) == sizeof(words), "Itanium member function pointer");
    std::memcpy(words, &f, sizeof words);
    return (words[0] - 1) / static_cast<long>(sizeof(void *));
}

static void check(long got, long want, const char *name) {
    if (got != want) {
        std::printf("%s is slot %ld, not %ld\n", name, got, want);
        failures++;
    }
}

class Waiter : public ICallBack {
public:
    std::mutex lock;
    std::condition_variable changed;
    bool logged_in = false;
    bool logged_out = false;
    void onLoginSuccess(uint32_t, int) override {
        std::lock_guard<std::mutex> g(lock);
        logged_in = true;
        changed.notify_all();
    }
    void onLogout(int ecode) override {
        std::lock_guard<std::mutex> g(lock);
        std::printf("onLogout %d\n", ecode);
        std::fflush(stdout);
        logged_out = true;
        changed.notify_all();
    }
};

int main() {
    check(slot(&ICallBack::onReconnecting), 0, "onReconnecting");
    check(slot(&ICallBack::onReconnected), 1, "onReconnected");
    check(slot(&ICallBack::onLoginSuccess), 2, "onLoginSuccess");
    check(slot(&ICallBack::onLogout), 3, "onLogout");
    check(slot(&ICallBack::onLoginFailed), 4, "onLoginFailed");
    check(slot(&ICallBack::onChannelJoined), 5, "onChannelJoined");
    check(slot(&ICallBack::onChannelJoinFailed), 6, "onChannelJoinFailed");
    check(slot(&ICallBack::onChannelLeaved), 7, "onChannelLeaved");
    check(slot(&ICallBack::onChannelUserJoined), 8, "onChannelUserJoined");
    check(slot(&ICallBack::onChannelUserLeaved), 9, "onChannelUserLeaved");
    check(slot(&ICallBack::onChannelUserList), 10, "onChannelUserList");
    check(slot(&ICallBack::onChannelQueryUserNumResult), 11, "onChannelQueryUserNumResult");
    check(slot(&ICallBack::onChannelQueryUserIsIn), 12, "onChannelQueryUserIsIn");
    check(slot(&ICallBack::onChannelAttrUpdated), 13, "onChannelAttrUpdated");
    check(slot(&ICallBack::onInviteReceived), 14, "onInviteReceived");
    check(slot(&ICallBack::onInviteReceivedByPeer), 15, "onInviteReceivedByPeer");
    check(slot(&ICallBack::onInviteAcceptedByPeer), 16, "onInviteAcceptedByPeer");
    check(slot(&ICallBack::onInviteRefusedByPeer), 17, "onInviteRefusedByPeer");
    check(slot(&ICallBack::onInviteFailed), 18, "onInviteFailed");
    check(slot(&ICallBack::onInviteEndByPeer), 19, "onInviteEndByPeer");
    check(slot(&ICallBack::onInviteEndByMyself), 20, "onInviteEndByMyself");
    check(slot(&ICallBack::onInviteMsg), 21, "onInviteMsg");
    check(slot(&ICallBack::onMessageSendError), 22, "onMessageSendError");
    check(slot(&ICallBack::onMessageSendProgress), 23, "onMessageSendProgress");
    check(slot(&ICallBack::onMessageSendSuccess), 24, "onMessageSendSuccess");
    check(slot(&ICallBack::onMessageAppReceived), 25, "onMessageAppReceived");
    check(slot(&ICallBack::onMessageInstantReceive), 26, "onMessageInstantReceive");
    check(slot(&ICallBack::onMessageChannelReceive), 27, "onMessageChannelReceive");
    check(slot(&ICallBack::onLog), 28, "onLog");
    check(slot(&ICallBack::onInvokeRet), 29, "onInvokeRet");
    check(slot(&ICallBack::onMsg), 30, "onMsg");
    check(slot(&ICallBack::onUserAttrResult), 31, "onUserAttrResult");
    check(slot(&ICallBack::onUserAttrAllResult), 32, "onUserAttrAllResult");
    check(slot(&ICallBack::onError), 33, "onError");
    check(slot(&ICallBack::onQueryUserStatusResult), 34, "onQueryUserStatusResult");
    check(slot(&ICallBack::onDbg), 35, "onDbg");
    check(slot(&ICallBack::onBCCall_result), 36, "onBCCall_result");
    check(slot(&IAgoraAPI::callbackSet), 0, "callbackSet");
    check(slot(&IAgoraAPI::callbackGet), 1, "callbackGet");
    check(slot(&IAgoraAPI::login), 2, "login");
    check(slot(&IAgoraAPI::login2), 3, "login2");
    check(slot(&IAgoraAPI::logout), 4, "logout");
    check(slot(&IAgoraAPI::channelJoin), 5, "channelJoin");
    check(slot(&IAgoraAPI::channelLeave), 6, "channelLeave");
    check(slot(&IAgoraAPI::channelQueryUserNum), 7, "channelQueryUserNum");
    check(slot(&IAgoraAPI::channelQueryUserIsIn), 8, "channelQueryUserIsIn");
    check(slot(&IAgoraAPI::channelSetAttr), 9, "channelSetAttr");
    check(slot(&IAgoraAPI::channelDelAttr), 10, "channelDelAttr");
    check(slot(&IAgoraAPI::channelClearAttr), 11, "channelClearAttr");
    check(slot(&IAgoraAPI::channelInviteUser), 12, "channelInviteUser");
    check(slot(&IAgoraAPI::channelInviteUser2), 13, "channelInviteUser2");
    check(slot(&IAgoraAPI::channelInvitePhone), 14, "channelInvitePhone");
    check(slot(&IAgoraAPI::channelInvitePhone2), 15, "channelInvitePhone2");
    check(slot(&IAgoraAPI::channelInvitePhone3), 16, "channelInvitePhone3");
    check(slot(&IAgoraAPI::channelInviteDTMF), 17, "channelInviteDTMF");
    check(slot(static_cast<void (IAgoraAPI::*)(char const *, size_t, char const *, size_t, uint32_t, char const *, size_t)>(&IAgoraAPI::channelInviteAccept)), 18, "channelInviteAccept");
    check(slot(&IAgoraAPI::channelInviteRefuse), 19, "channelInviteRefuse");
    check(slot(&IAgoraAPI::channelInviteEnd), 20, "channelInviteEnd");
    check(slot(&IAgoraAPI::messageAppSend), 21, "messageAppSend");
    check(slot(&IAgoraAPI::messageInstantSend), 22, "messageInstantSend");
    check(slot(&IAgoraAPI::messageInstantSend2), 23, "messageInstantSend2");
    check(slot(&IAgoraAPI::messageChannelSend), 24, "messageChannelSend");
    check(slot(&IAgoraAPI::messageChannelSendForce), 25, "messageChannelSendForce");
    check(slot(&IAgoraAPI::messageChannelSend2), 26, "messageChannelSend2");
    check(slot(&IAgoraAPI::messagePushSend), 27, "messagePushSend");
    check(slot(&IAgoraAPI::messageChatSend), 28, "messageChatSend");
    check(slot(&IAgoraAPI::messageDTMFSend), 29, "messageDTMFSend");
    check(slot(&IAgoraAPI::setBackground), 30, "setBackground");
    check(slot(&IAgoraAPI::setNetworkStatus), 31, "setNetworkStatus");
    check(slot(&IAgoraAPI::ping), 32, "ping");
    check(slot(&IAgoraAPI::setAttr), 33, "setAttr");
    check(slot(&IAgoraAPI::getAttr), 34, "getAttr");
    check(slot(&IAgoraAPI::getAttrAll), 35, "getAttrAll");
    check(slot(&IAgoraAPI::getUserAttr), 36, "getUserAttr");
    check(slot(&IAgoraAPI::getUserAttrAll), 37, "getUserAttrAll");
    check(slot(&IAgoraAPI::queryUserStatus), 38, "queryUserStatus");
    check(slot(&IAgoraAPI::invoke), 39, "invoke");
    check(slot(&IAgoraAPI::start), 40, "start");
    check(slot(&IAgoraAPI::stop), 41, "stop");
    check(slot(&IAgoraAPI::isOnline), 42, "isOnline");
    check(slot(&IAgoraAPI::getStatus), 43, "getStatus");
    check(slot(&IAgoraAPI::getSdkVersion), 44, "getSdkVersion");
    check(slot(&IAgoraAPI::bc_call), 45, "bc_call");
    check(slot(&IAgoraAPI::dbg), 46, "dbg");
    check(slot(&IAgoraAPI::destroy), 47, "destroy");
    std::printf("table order checked: %d wrong\n", failures);

    Waiter waiter;
    IAgoraAPI *sdk = createAgoraSDKInstanceCPP();
    if (sdk == getAgoraSDKInstanceCPP() || getAgoraSDKInstanceCPP() != getAgoraSDKInstanceCPP()) {
        std::printf("factories mixed up\n");
        return 1;
    }
    sdk->callbackSet(&waiter);
    std::printf("callbackGet %s\n", sdk->callbackGet() == &waiter ? "same" : "other");
    std::printf("getSdkVersion %d\n", sdk->getSdkVersion());
    std::printf("before login: status %d online %d\n", sdk->getStatus(), sdk->isOnline());
    std::fflush(stdout);
    std::thread loop([sdk] { sdk->start(); });
    sdk->login2("app", 3, "every", 5, "_no_need_token", 14, 0, NULL, 0, 30, 3);
    sdk->login("app", 3, "every", 5, "_no_need_token", 14, 0, NULL, 0);
    {
        std::unique_lock<std::mutex> g(waiter.lock);
        waiter.changed.wait(g, [&] { return waiter.logged_in; });
    }
    std::printf("logged in: status %d online %d\n", sdk->getStatus(), sdk->isOnline());
    std::fflush(stdout);
    sdk->channelJoin(NULL, 0);
    sdk->channelLeave(NULL, 0);
    sdk->channelQueryUserNum(NULL, 0);
    sdk->channelQueryUserIsIn(NULL, 0, NULL, 0);
    sdk->channelSetAttr(NULL, 0, NULL, 0, NULL, 0);
    sdk->channelDelAttr(NULL, 0, NULL, 0);
    sdk->channelClearAttr(NULL, 0);
    sdk->channelInviteUser(NULL, 0, NULL, 0, 0);
    sdk->channelInviteUser2(NULL, 0, NULL, 0, NULL, 0);
    sdk->channelInvitePhone(NULL, 0, NULL, 0, 0);
    sdk->channelInvitePhone2(NULL, 0, NULL, 0, NULL, 0);
    sdk->channelInvitePhone3(NULL, 0, NULL, 0, NULL, 0, NULL, 0);
    sdk->channelInviteDTMF(NULL, 0, NULL, 0, NULL, 0);
    sdk->channelInviteAccept(NULL, 0, NULL, 0, 0, NULL, 0);
    sdk->channelInviteRefuse(NULL, 0, NULL, 0, 0, NULL, 0);
    sdk->channelInviteEnd(NULL, 0, NULL, 0, 0);
    sdk->messageAppSend(NULL, 0, NULL, 0);
    sdk->messageInstantSend(NULL, 0, 0, NULL, 0, NULL, 0);
    sdk->messageInstantSend2(NULL, 0, 0, NULL, 0, NULL, 0, NULL, 0);
    sdk->messageChannelSend(NULL, 0, NULL, 0, NULL, 0);
    sdk->messageChannelSendForce(NULL, 0, NULL, 0, NULL, 0);
    sdk->messageChannelSend2(NULL, 0, NULL, 0, NULL, 0, NULL, 0);
    sdk->messagePushSend(NULL, 0, 0, NULL, 0, NULL, 0);
    sdk->messageChatSend(NULL, 0, 0, NULL, 0, NULL, 0);
    sdk->messageDTMFSend(0, NULL, 0, NULL, 0);
    sdk->setBackground(0);
    sdk->setNetworkStatus(0);
    sdk->ping();
    sdk->setAttr(NULL, 0, NULL, 0);
    sdk->getAttr(NULL, 0);
    sdk->getAttrAll();
    sdk->getUserAttr(NULL, 0, NULL, 0);
    sdk->getUserAttrAll(NULL, 0);
    sdk->queryUserStatus(NULL, 0);
    sdk->invoke(NULL, 0, NULL, 0, NULL, 0);
    sdk->bc_call(NULL, 0, NULL, 0, NULL, 0);
    sdk->dbg(NULL, 0, NULL, 0);
    // The older header's spellings.
    sdk->channelInviteAccept(NULL, 0, NULL, 0, 0);
    sdk->logout();
    {
        std::unique_lock<std::mutex> g(waiter.lock);
        waiter.changed.wait(g, [&] { return waiter.logged_out; });
    }
    sdk->stop();
    loop.join();
    sdk->destory();
    sdk->destroy();
    std::printf("done\n");
    return failures == 0 ? 0 : 1;
}
