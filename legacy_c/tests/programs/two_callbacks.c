/* A C99 program that sets only two callbacks (the other 35 pointers stay NULL and must be
 * skipped) and runs a whole session: login, peer message, channel join, attributes, channel
 * message, invitation, leave, logout. It waits for onLogout before ending. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "agora_sig.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int logged_in = 0;
static int logged_out = 0;

static void on_login_success(ICallBackC *self, uint32_t uid, int fd) {
    (void)self; (void)uid; (void)fd;
    pthread_mutex_lock(&lock);
    logged_in = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void on_logout(ICallBackC *self, int ecode) {
    (void)self;
    pthread_mutex_lock(&lock);
    printf("onLogout %d\n", ecode);
    fflush(stdout);
    logged_out = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

#define S(literal) literal, sizeof literal - 1

int main(void) {
    ICallBackC callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.onLoginSuccess = on_login_success;
    callbacks.onLogout = on_logout;

    IAgoraAPIC *sdk = createAgoraSDKInstanceC();
    sdk->callbackSet(sdk, &callbacks);
    sdk->login(sdk, S("app"), S("solo"), S("_no_need_token"), 0, NULL, 0);
    pthread_mutex_lock(&lock);
    while (!logged_in) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    printf("logged in: status %d\n", sdk->getStatus(sdk));
    fflush(stdout);

    sdk->messageInstantSend(sdk, S("solo"), 0, S("to myself"), NULL, 0);
    sdk->messageInstantSend(sdk, S("nobody"), 0, S("to nobody"), S("m1"));
    sdk->channelJoin(sdk, S("c"));
    sdk->channelSetAttr(sdk, S("c"), S("k"), S("v"));
    sdk->messageChannelSend(sdk, S("c"), S("hello"), NULL, 0);
    sdk->setAttr(sdk, S("a"), S("b"));
    sdk->getAttrAll(sdk);
    sdk->queryUserStatus(sdk, S("solo"));
    sdk->channelQueryUserNum(sdk, S("c"));
    sdk->channelInviteUser2(sdk, S("c"), S("nobody"), S("{\"_require_peer_online\":1}"));
    sdk->invoke(sdk, S("io.agora.signal.user_query_user_status"), S("{\"account\":\"solo\"}"), S("c1"));
    sdk->dbg(sdk, S("a"), S("b"));
    sdk->channelLeave(sdk, S("c"));
    sdk->logout(sdk);
    pthread_mutex_lock(&lock);
    while (!logged_out) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    printf("status %d\n", sdk->getStatus(sdk));
    sdk->release(sdk);
    printf("done\n");
    return 0;
}
